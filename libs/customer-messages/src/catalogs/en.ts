import { Catalog } from './catalog';

export const en: Catalog = {
  subject:
    '{outcome, select, denied {About your refund request {caseRef}} other {Your refund request {caseRef} has been approved}}',
  greeting: 'Dear {name},',
  outcome: `{outcome, select,
    refund {We have approved a full refund of {amount} for your {product}.}
    partial_refund {We have approved a partial refund of {amount} for your {product}.}
    store_credit {We will give you store credit worth {amount} for your {product}.}
    exchange {We will exchange your {product} for a new one.}
    repair {We will repair your {product} free of charge.}
    other {We have carefully reviewed your request about your {product}, and we are sorry that we cannot offer a refund.}}`,
  rationale: 'The reason for our decision: {rationale}',
  legalBasis: 'This decision is based on: {legalBasis}',
  alternatives: 'Instead, we can offer you: {alternatives}.',
  nextSteps: `{outcome, select,
    refund {The money will be returned to your {method} within {min}–{max} business days, so you should see it by {date}.}
    partial_refund {The money will be returned to your {method} within {min}–{max} business days, so you should see it by {date}.}
    store_credit {The credit will be available in your account within one business day.}
    exchange {We will send you a prepaid return label; the replacement ships as soon as we receive the item.}
    repair {We will send you a prepaid label; repairs usually take {max} business days after we receive the item.}
    other {If you would like one of these options, or have information we did not consider, simply reply to this message.}}`,
  contact: 'Your case reference is {caseRef}. Reply to this message if you have any questions.',
  signature: 'Kind regards,\nCustomer Service',
  legalRight:
    'This decision gives you what the law entitles you to: your {right, select, withdrawal {right to withdraw from a distance purchase} other {legal guarantee for a defective product}} ({source}).',
  contestedRight:
    'We do not consider that your {right, select, withdrawal {right to withdraw from the purchase} other {legal guarantee for a defective product}} ({source}) applies here, because {reason}. If you disagree, you can dispute this decision: reply to this message within 30 days and a different senior manager will review it, or contact your national consumer protection authority or an out-of-court dispute resolution body. Your statutory rights are not affected by this decision.',
  contestReasons: {
    not_a_defect: 'our inspection found no defect',
    damage_by_misuse: 'the damage was caused by use contrary to the instructions',
    outside_period_on_evidence: 'the evidence shows the request was made after the legal period ended',
    exempt_goods: 'the law exempts this kind of product from withdrawal',
  },
  alternativeLabels: { store_credit: 'store credit', exchange: 'an exchange', repair: 'a repair', discount: 'a discount on your next order' },
  paymentMethods: { card: 'card', credit_card: 'credit card', paypal: 'PayPal account', bank_transfer: 'bank account', cash: 'original payment method' },
};
