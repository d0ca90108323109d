/**
 * Runs autocannon in a process of its own, so the load it makes does not share an event loop
 * with the server it measures. Input: one JSON argument (autocannon options); output: one line
 * of JSON on stdout with the figures the bench reports.
 */
const autocannon = require('autocannon');

const options = JSON.parse(process.argv[2]);
autocannon(options, (error, result) => {
  if (error) {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  }
  const out = {
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    seconds: result.duration,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
