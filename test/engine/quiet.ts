// Imported first by test files that run hundreds of failing executions on purpose: n8n-core's
// error reporter would log every one of them. FC or a developer can still set N8N_LOG_LEVEL.
process.env.N8N_LOG_LEVEL ??= 'silent';
