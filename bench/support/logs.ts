import pino, { DestinationStream } from 'pino';

/**
 * Request logging stays on in the bench, as in production: a line per request at level info,
 * written synchronously as pino writes to stdout, only to /dev/null (stdout carries the table).
 */
export const productionLogSink = (): DestinationStream => pino.destination({ dest: '/dev/null', sync: true });
