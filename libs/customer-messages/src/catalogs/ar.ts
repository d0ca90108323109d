import { Catalog } from './catalog';

export const ar: Catalog = {
  subject: '{outcome, select, denied {بخصوص طلب الاسترداد {caseRef}} other {تمت الموافقة على طلب الاسترداد {caseRef}}}',
  greeting: 'عزيزي/عزيزتي {name}،',
  outcome: `{outcome, select,
    refund {لقد وافقنا على استرداد كامل المبلغ {amount} عن {product}.}
    partial_refund {لقد وافقنا على استرداد جزئي بقيمة {amount} عن {product}.}
    store_credit {سنمنحك رصيدًا في المتجر بقيمة {amount} عن {product}.}
    exchange {سنستبدل {product} بمنتج جديد.}
    repair {سنقوم بإصلاح {product} مجانًا.}
    other {لقد راجعنا طلبك المتعلق بـ {product} بعناية، ونأسف لعدم تمكننا من رد المبلغ.}}`,
  rationale: 'سبب قرارنا: {rationale}',
  legalBasis: 'يستند هذا القرار إلى: {legalBasis}',
  alternatives: 'بدلًا من ذلك يمكننا أن نقدم لك: {alternatives}.',
  nextSteps: `{outcome, select,
    refund {سيُعاد المبلغ إلى {method} خلال {min}–{max} أيام عمل، أي في موعد أقصاه {date}.}
    partial_refund {سيُعاد المبلغ إلى {method} خلال {min}–{max} أيام عمل، أي في موعد أقصاه {date}.}
    store_credit {سيتوفر الرصيد في حسابك خلال يوم عمل واحد.}
    exchange {سنرسل إليك ملصق إرجاع مدفوع مسبقًا، وسيُشحن المنتج البديل فور استلامنا للمنتج.}
    repair {سنرسل إليك ملصقًا مدفوعًا مسبقًا؛ ويستغرق الإصلاح عادةً {max} أيام عمل من تاريخ الاستلام.}
    other {إذا رغبت في أحد هذه البدائل، أو كانت لديك معلومات لم نأخذها في الاعتبار، فيكفي الرد على هذه الرسالة.}}`,
  contact: 'الرقم المرجعي لطلبك هو {caseRef}. إذا كانت لديك أي أسئلة، فيرجى الرد على هذه الرسالة.',
  signature: 'مع أطيب التحيات،\nخدمة العملاء',
  legalRight:
    'يمنحك هذا القرار ما يكفله لك القانون: {right, select, withdrawal {حقك في العدول عن الشراء عن بُعد} other {حقك في الضمان القانوني للمنتج المعيب}} ({source}).',
  contestedRight:
    'نرى أن {right, select, withdrawal {حقك في العدول عن الشراء} other {حقك في الضمان القانوني للمنتج المعيب}} ({source}) لا ينطبق في هذه الحالة، لأن {reason}. إذا كنت لا توافق على ذلك، يمكنك الاعتراض على هذا القرار: رُدّ على هذه الرسالة خلال 30 يومًا وسيراجعه مدير آخر، أو تواصل مع الجهة الوطنية لحماية المستهلك أو مع جهة لتسوية النزاعات خارج المحاكم. لا يمسّ هذا القرار حقوقك القانونية.',
  contestReasons: {
    not_a_defect: 'لم يكشف فحصنا عن أي عيب',
    damage_by_misuse: 'نتج الضرر عن استخدام مخالف للتعليمات',
    outside_period_on_evidence: 'تُظهر الأدلة أن الطلب قُدّم بعد انتهاء المدة القانونية',
    exempt_goods: 'يستثني القانون هذا النوع من المنتجات من حق العدول',
  },
  alternativeLabels: { store_credit: 'رصيد في المتجر', exchange: 'استبدال المنتج', repair: 'إصلاح المنتج', discount: 'خصم على طلبك القادم' },
  paymentMethods: { card: 'بطاقتك', credit_card: 'بطاقتك الائتمانية', paypal: 'حساب PayPal', bank_transfer: 'حسابك المصرفي', cash: 'وسيلة الدفع الأصلية' },
};
