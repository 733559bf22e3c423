// Sends traces and logs to a running `ddbg serve` with the real OpenTelemetry JS SDK and
// prints what it sent as JSON: {"spans": [{traceId, spanId, name, via}], "logs": [...]}.
// Usage: node send.js <otlp-http-port> <otlp-grpc-port> [token]
'use strict';
const { context, trace } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const protoTraces = require('@opentelemetry/exporter-trace-otlp-proto');
const httpTraces = require('@opentelemetry/exporter-trace-otlp-http');
const grpcTraces = require('@opentelemetry/exporter-trace-otlp-grpc');
const protoLogs = require('@opentelemetry/exporter-logs-otlp-proto');
const httpLogs = require('@opentelemetry/exporter-logs-otlp-http');

const [httpPort, grpcPort, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const base = `http://127.0.0.1:${httpPort}`;

async function sendSpans(via, exporter, sent) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `js-${via}`, 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ddbg-serve-test', '1.0.0');
  const root = tracer.startSpan(`checkout ${via}`, { attributes: { 'business.user_id': 'u-42', 'cart.items': 3 } });
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < 3; i++) {
    const child = tracer.startSpan(`step-${i}`, { attributes: { step: i, ok: i !== 2 } }, ctx);
    if (i === 2) child.setStatus({ code: 2, message: 'step failed' });
    child.addEvent('retry', { attempt: i });
    child.end();
    sent.spans.push({ traceId: child.spanContext().traceId, spanId: child.spanContext().spanId, name: `step-${i}`, via });
  }
  root.end();
  sent.spans.push({ traceId: root.spanContext().traceId, spanId: root.spanContext().spanId, name: `checkout ${via}`, via });
  await provider.forceFlush();
  await provider.shutdown();
  return root;
}

async function sendLogs(via, exporter, root, sent) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': `js-${via}` }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('ddbg-serve-test');
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < 2; i++) {
    const body = `log ${via} ${i} for ${root.spanContext().traceId}`;
    logger.emit({ body, severityNumber: 9 + i * 8, severityText: i ? 'ERROR' : 'INFO', attributes: { i }, context: ctx });
    sent.logs.push({ traceId: root.spanContext().traceId, body, via });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

async function main() {
  const sent = { spans: [], logs: [] };
  const rootProto = await sendSpans('proto', new protoTraces.OTLPTraceExporter({ url: `${base}/v1/traces`, headers }), sent);
  const rootJson = await sendSpans('json', new httpTraces.OTLPTraceExporter({ url: `${base}/v1/traces`, headers }), sent);
  if (grpcPort && grpcPort !== '-1') {
    const { Metadata } = require('@grpc/grpc-js');
    const metadata = new Metadata();
    if (token) metadata.set('authorization', `Bearer ${token}`);
    await sendSpans('grpc', new grpcTraces.OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata }), sent);
  }
  await sendLogs('proto', new protoLogs.OTLPLogExporter({ url: `${base}/v1/logs`, headers }), rootProto, sent);
  await sendLogs('json', new httpLogs.OTLPLogExporter({ url: `${base}/v1/logs`, headers }), rootJson, sent);
  process.stdout.write(JSON.stringify(sent) + '\n');
}

main().catch((e) => {
  process.stderr.write(`send.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
