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
  legalRight:
    'Questa decisione le riconosce ciò che la legge le garantisce: il suo {right, select, withdrawal {diritto di recesso da un acquisto a distanza} other {diritto alla garanzia legale per un prodotto difettoso}} ({source}).',
  contestedRight:
    "Riteniamo che il suo {right, select, withdrawal {diritto di recesso} other {diritto alla garanzia legale per un prodotto difettoso}} ({source}) non si applichi in questo caso, perché {reason}. Se non è d'accordo, può contestare questa decisione: risponda a questo messaggio entro 30 giorni e un altro responsabile la riesaminerà, oppure si rivolga all'autorità nazionale per la tutela dei consumatori o a un organismo di risoluzione extragiudiziale delle controversie. I suoi diritti di legge non sono pregiudicati da questa decisione.",
  contestReasons: {
    not_a_defect: 'la nostra verifica non ha riscontrato alcun difetto',
    damage_by_misuse: 'il danno è stato causato da un uso non conforme alle istruzioni',
    outside_period_on_evidence: 'le prove mostrano che la richiesta è stata presentata dopo la scadenza del termine di legge',
    exempt_goods: 'la legge esclude il recesso per questo tipo di prodotto',
  },
  alternativeLabels: { store_credit: 'un credito in negozio', exchange: 'una sostituzione', repair: 'una riparazione', discount: 'uno sconto sul prossimo ordine' },
  paymentMethods: { card: 'carta', credit_card: 'carta di credito', paypal: 'PayPal', bank_transfer: 'bonifico bancario', cash: 'contanti' },
};
