import { Catalog } from './catalog';

export const pt: Catalog = {
  subject:
    '{outcome, select, denied {Sobre o seu pedido de reembolso {caseRef}} other {O seu pedido de reembolso {caseRef} foi aprovado}}',
  greeting: 'Caro(a) {name},',
  outcome: `{outcome, select,
    refund {Aprovámos o reembolso integral de {amount} referente ao seu {product}.}
    partial_refund {Aprovámos um reembolso parcial de {amount} referente ao seu {product}.}
    store_credit {Concederemos um crédito na loja no valor de {amount} referente ao seu {product}.}
    exchange {Vamos trocar o seu {product} por um novo.}
    repair {Vamos reparar o seu {product} sem custos.}
    other {Analisámos com atenção o seu pedido referente ao seu {product} e lamentamos não poder conceder um reembolso.}}`,
  rationale: 'O motivo da nossa decisão: {rationale}',
  legalBasis: 'Esta decisão baseia-se em: {legalBasis}',
  alternatives: 'Em alternativa, podemos oferecer: {alternatives}.',
  nextSteps: `{outcome, select,
    refund {O valor será devolvido para o meio de pagamento utilizado ({method}) em {min}–{max} dias úteis, devendo estar disponível até {date}.}
    partial_refund {O valor será devolvido para o meio de pagamento utilizado ({method}) em {min}–{max} dias úteis, devendo estar disponível até {date}.}
    store_credit {O crédito ficará disponível na sua conta dentro de um dia útil.}
    exchange {Enviaremos uma etiqueta de devolução pré-paga; o produto de substituição segue assim que recebermos o artigo.}
    repair {Enviaremos uma etiqueta pré-paga; a reparação demora normalmente {max} dias úteis após a receção do artigo.}
    other {Se pretender uma destas alternativas, ou tiver informações que não considerámos, basta responder a esta mensagem.}}`,
  contact: 'A referência do seu pedido é {caseRef}. Se tiver dúvidas, responda a esta mensagem.',
  signature: 'Com os melhores cumprimentos,\nApoio ao Cliente',
  legalRight:
    'Esta decisão concede-lhe o que a lei lhe garante: o seu {right, select, withdrawal {direito de arrependimento numa compra à distância} other {direito à garantia legal por um produto com defeito}} ({source}).',
  contestedRight:
    'Consideramos que o seu {right, select, withdrawal {direito de arrependimento} other {direito à garantia legal por um produto com defeito}} ({source}) não se aplica neste caso, porque {reason}. Se não concordar, pode contestar esta decisão: responda a esta mensagem no prazo de 30 dias e outro responsável irá revê-la, ou contacte a entidade nacional de defesa do consumidor (por exemplo, o Procon) ou um centro de resolução alternativa de litígios. Esta decisão não afeta os seus direitos legais.',
  contestReasons: {
    not_a_defect: 'a nossa inspeção não encontrou qualquer defeito',
    damage_by_misuse: 'o dano foi causado por uma utilização contrária às instruções',
    outside_period_on_evidence: 'as provas mostram que o pedido foi feito depois de terminado o prazo legal',
    exempt_goods: 'a lei exclui o arrependimento para este tipo de produto',
  },
  alternativeLabels: { store_credit: 'crédito na loja', exchange: 'uma troca', repair: 'uma reparação', discount: 'um desconto na próxima encomenda' },
  paymentMethods: { card: 'cartão', credit_card: 'cartão de crédito', paypal: 'PayPal', bank_transfer: 'transferência bancária', cash: 'numerário' },
};
