import { Catalog } from './catalog';

export const it: Catalog = {
  subject:
    '{outcome, select, denied {La sua richiesta di rimborso {caseRef}} other {La sua richiesta di rimborso {caseRef} è stata accolta}}',
  greeting: 'Gentile {name},',
  outcome: `{outcome, select,
    refund {abbiamo approvato il rimborso completo di {amount} per il suo {product}.}
    partial_refund {abbiamo approvato un rimborso parziale di {amount} per il suo {product}.}
    store_credit {le riconosceremo un credito di {amount} da usare nel nostro negozio per il suo {product}.}
    exchange {sostituiremo il suo {product} con uno nuovo.}
    repair {ripareremo gratuitamente il suo {product}.}
    other {abbiamo esaminato con attenzione la sua richiesta relativa al suo {product} e siamo spiacenti di non poterle concedere un rimborso.}}`,
  rationale: 'Il motivo della nostra decisione: {rationale}',
  legalBasis: 'La decisione si basa su: {legalBasis}',
  alternatives: 'In alternativa possiamo offrirle: {alternatives}.',
  nextSteps: `{outcome, select,
    refund {L'importo le sarà riaccreditato sul mezzo di pagamento usato ({method}) entro {min}–{max} giorni lavorativi, quindi dovrebbe vederlo entro il {date}.}
    partial_refund {L'importo le sarà riaccreditato sul mezzo di pagamento usato ({method}) entro {min}–{max} giorni lavorativi, quindi dovrebbe vederlo entro il {date}.}
    store_credit {Il credito sarà disponibile nel suo account entro un giorno lavorativo.}
    exchange {Le invieremo un'etichetta di reso prepagata; il prodotto sostitutivo partirà appena riceveremo l'articolo.}
    repair {Le invieremo un'etichetta prepagata; la riparazione richiede di solito {max} giorni lavorativi dal ricevimento.}
    other {Se desidera una di queste alternative, o ha informazioni che non abbiamo considerato, risponda semplicemente a questo messaggio.}}`,
  contact: 'Il riferimento della sua pratica è {caseRef}. Per qualsiasi domanda risponda a questo messaggio.',
  signature: 'Cordiali saluti,\nServizio Clienti',
  alternativeLabels: { store_credit: 'un credito in negozio', exchange: 'una sostituzione', repair: 'una riparazione', discount: 'uno sconto sul prossimo ordine' },
  paymentMethods: { card: 'carta', credit_card: 'carta di credito', paypal: 'PayPal', bank_transfer: 'bonifico bancario', cash: 'contanti' },
};
