// A fake OpenAI-compatible chat model: POST /v1/chat/completions as OpenAI documents it
// (https://platform.openai.com/docs/api-reference/chat/create), plain JSON or server-sent events.
// It records every request it receives (messages and the tools array), so a test can assert what a
// model would have been told. Its answers follow a script: when the conversation's last message is
// the user's, it calls a tool with the arguments the test set; once a tool has answered, it gives
// a final answer quoting what the tool returned.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readBody, sendJson } from './http.ts';

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
	[key: string]: unknown;
}

export interface ChatModel {
	url: string;
	/** What an OpenAI credential's Base URL should be: `${url}/v1`. */
	baseUrl: string;
	/** Every chat completion request, oldest first. */
	requests: ChatRequest[];
	/** The arguments of the next tool call; by default the call goes to the first tool offered. */
	toolCall: { name?: string; arguments: Record<string, unknown> };
	close(): Promise<void>;
}

/** A message's text, whether the client sent it as a string or as content parts. */
export function textOf(message: ChatMessage): string {
	if (typeof message.content === 'string') return message.content;
	return (message.content ?? []).map((part) => part.text ?? '').join('');
}

export async function startChatModel(): Promise<ChatModel> {
	let calls = 0;
	const reply = (request: ChatRequest): ChatMessage => {
		const last = request.messages.at(-1);
		if (last?.role === 'tool') return { role: 'assistant', content: `The tool answered: ${textOf(last)}` };
		const name = model.toolCall.name ?? request.tools?.[0]?.function.name;
		if (!name) return { role: 'assistant', content: 'No tool was offered.' };
		const call = {
			id: `call_${++calls}`,
			type: 'function' as const,
			function: { name, arguments: JSON.stringify(model.toolCall.arguments) },
		};
		return { role: 'assistant', content: null, tool_calls: [call] };
	};

	const handler = async (req: IncomingMessage, res: ServerResponse) => {
		const raw = (await readBody(req)).toString('utf8');
		if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
			return sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${req.url})`, type: 'invalid_request_error' } });
		}
		const request = JSON.parse(raw) as ChatRequest;
		model.requests.push(request);
		const message = reply(request);
		const finish = message.tool_calls ? 'tool_calls' : 'stop';
		const base = { id: `chatcmpl-${model.requests.length}`, created: Math.floor(Date.now() / 1000), model: request.model };
		const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
		if (!request.stream) {
			return sendJson(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage });
		}
		// Streamed: the whole message in one delta, then the finish reason, then [DONE].
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const chunk = (choice: object, extra: object = {}) =>
			res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [choice], ...extra })}\n\n`);
		const delta = { ...message, tool_calls: message.tool_calls?.map((call, index) => ({ index, ...call })) };
		chunk({ index: 0, delta, finish_reason: null });
		chunk({ index: 0, delta: {}, finish_reason: finish }, { usage });
		res.end('data: [DONE]\n\n');
	};

	const listening = await listen('none', (req, res) => void handler(req, res));
	const model: ChatModel = {
		url: listening.url,
		baseUrl: `${listening.url}/v1`,
		requests: [],
		toolCall: { arguments: {} },
		close: () => listening.close(),
	};
	return model;
}
