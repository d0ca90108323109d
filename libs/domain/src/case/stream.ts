/** The category prefix keeps every case stream findable by one `$all`/prefix filter. */
export const CASE_STREAM_CATEGORY = 'refundCase';

export const caseStreamName = (caseId: string): string => `${CASE_STREAM_CATEGORY}-${caseId}`;

export const caseIdFromStream = (streamId: string): string | undefined =>
  streamId.startsWith(`${CASE_STREAM_CATEGORY}-`) ? streamId.slice(CASE_STREAM_CATEGORY.length + 1) : undefined;
