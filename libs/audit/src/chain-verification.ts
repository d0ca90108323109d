// The verifier lives with the event store, whose readers check a stream before answering from it.
export { ChainBreak, ChainVerification, ChainVerifier, verifyChain } from '@refund-desk/event-store';
