/** A scripted agent turn on real OTel spans, shared by the receiver's tests. */
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';


/** An agent turn: a model call streaming its answer, a tool that works and one that fails. */
export async function agentTurn(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': 'Weather in Oslo, then book' } }, async (session) => {
    await tracer.startActiveSpan('chat model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' } }, async (llm) => {
      for (const text of ['Let me check ', 'the weather. ', 'Then I book.']) {
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': text });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      llm.end();
    });
    await tracer.startActiveSpan('plan step', async (step) => {
      await tracer.startActiveSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' } }, async (tool) => {
        tool.addEvent('aaep.progress', { 'aaep.progress.percent': 50, 'aaep.progress.description': 'Asking the met office' });
        await new Promise((resolve) => setTimeout(resolve, 2));
        tool.setAttribute('gen_ai.tool.call.result', '{"sky":"snow"}');
        tool.end();
      });
      step.end();
    });
    await tracer.startActiveSpan('execute_tool book_table', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'book_table' } }, async (tool) => {
      tool.setStatus({ code: SpanStatusCode.ERROR, message: 'fully booked' });
      tool.end();
    });
    session.end();
  });
}
