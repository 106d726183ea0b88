/** Pure helpers of the review view: the LLM prompt for a pair's question and the reply parser. */
export * from './prompt.ts';
export * from './llm-reply.ts';
export * from './tags.ts';
export * from './question.ts';
export * from './reviewed.ts';
