/**
 * Grammar-constrained sampling (structured output): GBNF grammars, JSON schemas and {@code json_object}.
 *
 * <p>Wiring, per model and per request:
 * <pre>{@code
 * // once per loaded model (about a second for a 152k vocabulary); immutable, thread-safe
 * TokenVocabulary vocabulary = TokenVocabulary.of(tokenizer);
 *
 * // per request, on the HTTP thread (GrammarException -> 400 naming the keyword / line and column)
 * Grammar grammar = switch (responseFormat) {
 *     case JSON_SCHEMA -> JsonSchemaGrammar.compile(schemaAsMap);   // Maps/Lists/Strings/Numbers/Booleans/null
 *     case JSON_OBJECT -> Grammar.jsonObject();
 *     case GBNF -> Grammar.compile(gbnfText);                        // start rule "root"
 * };
 * CompiledGrammar compiled = new CompiledGrammar(grammar, vocabulary); // or a cache per (schema, model)
 *
 * // the sampler factory of the GenerationRequest (called on the engine thread)
 * () -> new GrammarSampler(new ChainSampler(params, vocabularySize, logprobs, topLogprobs),
 *         new GrammarMatcher(compiled))
 * }</pre>
 * The request's stop token ids must include the model's end-of-generation ids (the grammar allows them only where
 * the document can end, and only them once it is complete). Matching is on bytes, so tokens may end inside a UTF-8
 * character or span several grammar terminals.
 *
 * <p>Composition: {@link dev.hearth.grammar.GrammarLinker} compiles GBNF that refers to already compiled grammars by
 * rule name (a tool-call skeleton around each function's arguments schema, or "this content or a call"), and
 * {@link dev.hearth.grammar.TriggeredText} writes the rules of lazy grammars: free text until a trigger word, then a
 * rule. Triggers are matched on the text as the grammar sees it, so they fire whatever tokens spell them; they cost
 * nothing but the masks of a few free-text states (almost everything allowed, cached per state).
 *
 * <p>A {@link dev.hearth.grammar.CompiledGrammar} and its matchers are confined to the engine thread of the model
 * whose vocabulary they use: states, transitions and masks are cached on it, so a server that keeps one per
 * (schema, model) pays the cold trie walks only for the first requests.
 */
package dev.hearth.grammar;
