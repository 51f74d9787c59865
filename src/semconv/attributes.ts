/**
 * Attribute and span-event names aaep-otel reads. `aaep.*` is the project's own
 * semantic convention (documented in docs/semconv.md); `gen_ai.*` and `error.type`
 * are OpenTelemetry's. Everything the translator reads is named here, nowhere else.
 */

/** Explicit classification of a span: `session`, `llm` or `tool`. Wins over every other convention. */
export const AAEP_SPAN_KIND = 'aaep.span.kind';

export const AAEP_AGENT_NAME = 'aaep.agent.name';
export const AAEP_SESSION_REQUEST = 'aaep.session.request';
export const AAEP_SESSION_SUMMARY = 'aaep.session.summary';
export const AAEP_SESSION_REQUESTED_BY = 'aaep.session.requested_by';
/** OpenTelemetry's end-user id: the principal a session belongs to (before `aaep.session.requested_by`). */
export const ENDUSER_ID = 'enduser.id';
export const AAEP_SESSION_TOOLS = 'aaep.session.tools_available';
export const AAEP_SESSION_EXPECTED_DURATION_MS = 'aaep.session.expected_duration_ms';
export const AAEP_SESSION_OUTCOME = 'aaep.session.outcome';
export const AAEP_SESSION_CANCELLED_BY = 'aaep.session.cancelled_by';
export const AAEP_SESSION_CANCEL_REASON = 'aaep.session.cancel_reason';
export const AAEP_SESSION_RESULT_SUMMARY = 'aaep.session.result_summary';
export const AAEP_LANGUAGE = 'aaep.language';

export const AAEP_LLM_MODEL = 'aaep.llm.model';
export const AAEP_LLM_OUTPUT = 'aaep.llm.output';

export const AAEP_TOOL_NAME = 'aaep.tool.name';
export const AAEP_TOOL_DESCRIPTION = 'aaep.tool.description';
export const AAEP_TOOL_SUMMARY = 'aaep.tool.summary';
export const AAEP_TOOL_ARGUMENTS = 'aaep.tool.arguments';
export const AAEP_TOOL_ARGS_SUMMARY = 'aaep.tool.args_summary';
export const AAEP_TOOL_RESULT = 'aaep.tool.result';
export const AAEP_TOOL_RESULT_SUMMARY = 'aaep.tool.result_summary';
export const AAEP_TOOL_RISK_LEVEL = 'aaep.tool.risk_level';
export const AAEP_TOOL_IRREVERSIBLE = 'aaep.tool.irreversible';
/** The tool asks first: it is announced only once its confirmation is accepted (implied by irreversible). */
export const AAEP_TOOL_REQUIRES_CONFIRMATION = 'aaep.tool.requires_confirmation';
export const AAEP_TOOL_STATUS = 'aaep.tool.status';
export const AAEP_TOOL_EXPECTED_DURATION_MS = 'aaep.tool.expected_duration_ms';

export const AAEP_ERROR_CATEGORY = 'aaep.error.category';
export const AAEP_ERROR_CODE = 'aaep.error.code';
export const AAEP_ERROR_REMEDIATION = 'aaep.error.remediation';

/** Span events the translator turns into AAEP events while the span is open. */
export const AAEP_EVENT_PROGRESS = 'aaep.progress';
export const AAEP_PROGRESS_PERCENT = 'aaep.progress.percent';
export const AAEP_PROGRESS_STEP = 'aaep.progress.step';
export const AAEP_PROGRESS_TOTAL_STEPS = 'aaep.progress.total_steps';
export const AAEP_PROGRESS_DESCRIPTION = 'aaep.progress.description';
/** On a reminder from confirm() or clarify(): the seconds left to answer the question the span is asking. */
export const AAEP_PROGRESS_SECONDS_LEFT = 'aaep.progress.seconds_left';

export const AAEP_EVENT_OUTPUT_CHUNK = 'aaep.output.chunk';
export const AAEP_OUTPUT_TEXT = 'aaep.output.text';

/**
 * A model call announcing a tool call it just made (name and arguments complete),
 * before the tool runs; the tool span with the same `gen_ai.tool.call.id` completes it.
 * Attributes: `gen_ai.tool.call.id`, `gen_ai.tool.name`, `gen_ai.tool.call.arguments`.
 */
export const AAEP_EVENT_TOOL_CALL_ANNOUNCED = 'aaep.tool.call_announced';

export const AAEP_EVENT_CONFIRMATION_REQUESTED = 'aaep.confirmation.requested';
export const AAEP_EVENT_CONFIRMATION_RESOLVED = 'aaep.confirmation.resolved';
export const AAEP_CONFIRMATION_REPLY_TOKEN = 'aaep.confirmation.reply_token';
export const AAEP_CONFIRMATION_ACTION = 'aaep.confirmation.action';
export const AAEP_CONFIRMATION_CONSEQUENCE = 'aaep.confirmation.consequence';
export const AAEP_CONFIRMATION_TIMEOUT_SECONDS = 'aaep.confirmation.timeout_seconds';
export const AAEP_CONFIRMATION_DEFAULT_DECISION = 'aaep.confirmation.default_decision';
export const AAEP_CONFIRMATION_RISK_LEVEL = 'aaep.confirmation.risk_level';
export const AAEP_CONFIRMATION_IRREVERSIBLE = 'aaep.confirmation.irreversible';
export const AAEP_CONFIRMATION_ALLOWED_REPLIES = 'aaep.confirmation.allowed_replies';
export const AAEP_CONFIRMATION_DECISION = 'aaep.confirmation.decision';
/** Who decided: `user`, `timeout` or `cancelled`. */
export const AAEP_CONFIRMATION_BY = 'aaep.confirmation.by';

export const AAEP_EVENT_CLARIFICATION_REQUESTED = 'aaep.clarification.requested';
export const AAEP_EVENT_CLARIFICATION_RESOLVED = 'aaep.clarification.resolved';
export const AAEP_CLARIFICATION_REPLY_TOKEN = 'aaep.clarification.reply_token';
export const AAEP_CLARIFICATION_QUESTION = 'aaep.clarification.question';
export const AAEP_CLARIFICATION_TIMEOUT_SECONDS = 'aaep.clarification.timeout_seconds';
export const AAEP_CLARIFICATION_RESPONSE_KINDS = 'aaep.clarification.accepted_response_kinds';
export const AAEP_CLARIFICATION_CHOICE_VALUES = 'aaep.clarification.choice_values';
export const AAEP_CLARIFICATION_CHOICE_LABELS = 'aaep.clarification.choice_labels';
export const AAEP_CLARIFICATION_CONTEXT = 'aaep.clarification.context';
export const AAEP_CLARIFICATION_DEFAULT_RESPONSE = 'aaep.clarification.default_response';
export const AAEP_CLARIFICATION_RESPONSE = 'aaep.clarification.response';
/** Who answered: `user`, `timeout` or `cancelled`. */
export const AAEP_CLARIFICATION_BY = 'aaep.clarification.by';

export const AAEP_EVENT_HANDOFF_REQUESTED = 'aaep.handoff.requested';
export const AAEP_HANDOFF_REASON = 'aaep.handoff.reason';
export const AAEP_HANDOFF_TARGET_KIND = 'aaep.handoff.target_kind';
export const AAEP_HANDOFF_TARGET_URI = 'aaep.handoff.target_uri';
export const AAEP_HANDOFF_SUMMARY = 'aaep.handoff.summary';
export const AAEP_HANDOFF_URGENCY = 'aaep.handoff.urgency';

/**
 * Start signals: short spans an agent process exports as its spans start or get
 * aaep.* events, so an out-of-process receiver can announce them live (OTLP
 * exports a span only when it ends). A tracing backend should drop them.
 */
export const AAEP_SIGNAL = 'aaep.signal';
export const AAEP_SIGNAL_SPAN_ID = 'aaep.signal.span_id';
export const AAEP_SIGNAL_PARENT_SPAN_ID = 'aaep.signal.parent_span_id';
export const AAEP_SIGNAL_SESSION_SPAN_ID = 'aaep.signal.session_span_id';
export const AAEP_SIGNAL_NAME = 'aaep.signal.name';
export const AAEP_SIGNAL_EVENT_NAME = 'aaep.signal.event_name';

/** OpenTelemetry GenAI semantic conventions. */
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ERROR_TYPE = 'error.type';

export const GEN_AI_SESSION_OPERATIONS: ReadonlySet<string> = new Set(['invoke_agent', 'create_agent']);
export const GEN_AI_TOOL_OPERATIONS: ReadonlySet<string> = new Set(['execute_tool']);
export const GEN_AI_LLM_OPERATIONS: ReadonlySet<string> = new Set([
  'chat',
  'text_completion',
  'generate_content',
]);
