package dev.hearth.server.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.DateTimeProvider;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.CompositeELResolver;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;

/**
 * A model's chat template, rendered with Jinjava in a sandbox: only plain maps, lists and strings go in; no file,
 * include or Java method is reachable; loops, recursion, output size and wall-clock time are bounded. Immutable and
 * safe to share between threads.
 */
public final class ChatTemplate {

    /** Bounds on one render. */
    public record Limits(long maxOutputChars, long maxNodes, java.time.Duration timeLimit, int maxRecursionDepth) {
        public static Limits defaults() {
            return new Limits(4L << 20, 2_000_000, java.time.Duration.ofMillis(500), 32);
        }
    }

    private final String modelName;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean addBos;
    private final Jinjava jinjava;
    private final RenderGuard guard;
    private final String prepared;

    public ChatTemplate(String modelName, String source, String bosToken, String eosToken, boolean addBos,
                        Clock clock, Limits limits) {
        this.modelName = modelName;
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.addBos = addBos;
        this.guard = new RenderGuard(limits.timeLimit(), limits.maxNodes());
        this.prepared = TemplateSource.prepare(source);
        this.jinjava = newJinjava(clock, limits, guard);
    }

    public ChatTemplate(String modelName, String source, String bosToken, String eosToken, boolean addBos) {
        this(modelName, source, bosToken, eosToken, addBos, Clock.systemDefaultZone(), Limits.defaults());
    }

    public String modelName() {
        return modelName;
    }

    public String source() {
        return source;
    }

    /**
     * Renders a conversation to the prompt text. When the model adds BOS itself, a BOS text the template put at the
     * start is removed (as llama-server does), so the tokenizer does not add a second one.
     *
     * @param tools     OpenAI function tools ({@code {"type": "function", "function": {...}}}) or null
     * @param extraVars further template variables (e.g. {@code enable_thinking}); plain values only
     * @throws ChatTemplateException when the template fails or refuses the conversation
     */
    public String render(List<ChatMessage> messages, List<Map<String, Object>> tools, boolean addGenerationPrompt,
                         Map<String, Object> extraVars) {
        Map<String, Object> bindings = new HashMap<>();
        if (extraVars != null) {
            extraVars.forEach((k, v) -> bindings.put(k, TemplateValues.plain(v, k)));
        }
        bindings.put("messages", TemplateValues.messages(messages));
        if (tools != null && !tools.isEmpty()) {
            bindings.put("tools", TemplateValues.plain(tools, "tools"));
        }
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        bindings.put("strftime_now", "strftime_now"); // so that `strftime_now is defined` holds; calls go to the function
        bindings.put("raise_exception", "raise_exception");

        RenderResult result;
        try (AutoCloseable armed = guard.arm()) {
            result = jinjava.renderForResult(prepared, bindings);
        } catch (RuntimeException e) {
            throw failure(e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (TemplateError error : result.getErrors()) {
            if (RenderGuard.isFailure(error)) {
                throw failure(describe(error), error.getException());
            }
        }
        String text = result.getOutput();
        if (addBos && !bosToken.isEmpty() && text.startsWith(bosToken)) {
            text = text.substring(bosToken.length());
        }
        return text;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt, Map.of());
    }

    private ChatTemplateException failure(String cause, Throwable exception) {
        return new ChatTemplateException("chat template of model '" + modelName + "' failed: " + cause, exception);
    }

    /** The most telling message: the template's own raise_exception text, else the guard's, else Jinjava's. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateFunctions.RaisedException raised) {
                return "the template raised: " + raised.getMessage();
            }
            if (t instanceof RenderGuard.Abort abort) {
                return abort.firstError != null ? describe(abort.firstError) : abort.getMessage();
            }
        }
        String message = error.getMessage();
        int raised = message == null ? -1 : message.indexOf("RaisedException: ");
        if (raised >= 0) {
            return "the template raised: " + message.substring(raised + "RaisedException: ".length());
        }
        return message + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }

    @SuppressWarnings("deprecation") // withNodePreProcessor is the only per-node hook Jinjava offers
    private static Jinjava newJinjava(Clock clock, Limits limits, RenderGuard guard) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        DateTimeProvider time = clock::millis;
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(false) // whitespace control is done by TemplateSource
                .withLstripBlocks(false)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver)
                .withDateTimeProvider(time)
                .withTimeZone(clock.getZone() == null ? ZoneId.systemDefault() : clock.getZone())
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxOutputChars())
                .withMaxListSize(100_000)
                .withMaxMapSize(100_000)
                .withRangeLimit(100_000)
                .withMaxRenderDepth(limits.maxRecursionDepth())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(limits.maxRecursionDepth())
                .withNestedInterpretationEnabled(false)
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                .withNodePreProcessor(guard)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("chat templates cannot load other templates or files: " + name);
        });
        Context globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        globals.registerFunction(new ELFunctionDefinition("", "hearth_slice", TemplateFunctions.class,
                "slice", Object.class, Object.class, Object.class, Object.class));
        globals.registerFilter(new TemplateFunctions.ToJsonFilter());
        globals.registerExpTest(new TemplateFunctions.IterableTest());
        return jinjava;
    }
}
