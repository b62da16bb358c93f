package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.Engine;
import dev.hearth.server.http.HearthServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of {@code docs/ARCHITECTURE.md}, held on the compiled classes of core and server by the JDK's
 * {@code jdeps}: no package cycle; {@code server} uses no {@code kernel}, {@code tensor} or {@code model}, and of
 * {@code kv} only {@code KvPrecision}; {@code grammar} does not use {@code engine}; {@code kernel} is the only package
 * that uses the Vector API; core uses the JDK and itself only. A failure names the classes that break the rule.
 */
class DependencyRulesTest {
    private static final Set<String> CORE_BELOW_SERVER = Set.of("dev.hearth.kernel", "dev.hearth.tensor",
            "dev.hearth.model", "dev.hearth.kv");
    private static final String KV_PRECISION = "dev.hearth.kv.KvPrecision";
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+(.*?)\\s*$");

    /** One class-to-class dependency as jdeps reports it; {@code location}: a JDK module, an archive or "not found". */
    record Edge(String from, String to, String location) {
        String fromPackage() {
            return packageOf(from);
        }

        String toPackage() {
            return packageOf(to);
        }

        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }

    private static List<Edge> core;
    private static List<Edge> server;

    @BeforeAll
    static void readClasses() throws URISyntaxException {
        core = jdeps(classesOf(Engine.class));
        server = jdeps(classesOf(HearthServer.class));
        // the rules below cannot pass on an empty or misread analysis
        assertThat(core.size()).as("core's dependencies read").isGreaterThan(500);
        assertThat(core.stream().anyMatch(e -> e.from().equals("dev.hearth.engine.Engine")
                && e.toPackage().equals("dev.hearth.kv"))).as("core's Engine -> kv read").isTrue();
        assertThat(server.size()).as("server's dependencies read").isGreaterThan(1000);
        assertThat(server.stream().anyMatch(e -> e.from().startsWith("dev.hearth.server.cli.")
                && e.to().startsWith("dev.hearth.engine."))).as("server's cli -> engine read").isTrue();
    }

    @Test
    void noPackageCycleInCoreOrServer() {
        Map<String, List<String>> cycles = new TreeMap<>();
        packageCycles(core).forEach((packages, edges) -> cycles.put("core: " + packages, edges));
        packageCycles(server).forEach((packages, edges) -> cycles.put("server: " + packages, edges));
        assertThat(cycles).as("package cycles (each with the class edges that make it)").isEmpty();
    }

    @Test
    void serverUsesNoKernelTensorOrModelAndOfKvOnlyKvPrecision() {
        List<String> offending = server.stream()
                .filter(e -> CORE_BELOW_SERVER.stream().anyMatch(p -> within(e.toPackage(), p))
                        && !e.to().equals(KV_PRECISION)
                        && !e.to().startsWith(KV_PRECISION + "$"))
                .map(Edge::toString).distinct().toList();
        assertThat(offending).as("server classes using kernel, tensor, model or kv beyond KvPrecision").isEmpty();
    }

    @Test
    void grammarDoesNotUseTheEngine() {
        List<String> offending = core.stream()
                .filter(e -> within(e.fromPackage(), "dev.hearth.grammar") && within(e.toPackage(), "dev.hearth.engine"))
                .map(Edge::toString).distinct().toList();
        assertThat(offending).as("grammar classes using engine").isEmpty();
    }

    @Test
    void onlyKernelUsesTheVectorApi() {
        List<String> offending = core.stream()
                .filter(e -> e.toPackage().equals("jdk.incubator.vector") && !e.fromPackage().equals("dev.hearth.kernel"))
                .map(Edge::toString).distinct().toList();
        assertThat(offending).as("classes outside kernel using jdk.incubator.vector").isEmpty();
    }

    @Test
    void coreUsesTheJdkAndItselfOnly() {
        Set<String> jdk = new TreeSet<>();
        ModuleFinder.ofSystem().findAll().forEach(m -> jdk.add(m.descriptor().name()));
        List<String> offending = core.stream()
                .filter(e -> !e.to().startsWith("dev.hearth.") && !jdk.contains(e.location()))
                .map(e -> e + " (" + e.location() + ")").distinct().toList();
        assertThat(offending).as("core classes using a class outside the JDK and core").isEmpty();
    }

    /** Every class-to-class dependency across packages of the classes under {@code classes}. */
    static List<Edge> jdeps(Path classes) {
        ToolProvider tool = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new AssertionError("jdeps is not in this JDK (the test needs a full JDK 25)"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = tool.run(new PrintWriter(out), new PrintWriter(err), "-verbose:class", classes.toString());
        assertThat(rc).as("jdeps on " + classes + ": " + err).isZero();
        List<Edge> edges = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches()) {
                edges.add(new Edge(m.group(1), m.group(2), m.group(3)));
            }
        }
        return edges;
    }

    /**
     * Each package cycle (a strongly connected set of packages) with the class edges between its packages, grouped by
     * package pair, the pair with the fewest edges first (most often the one to cut).
     */
    static Map<String, List<String>> packageCycles(List<Edge> edges) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Edge e : edges) {
            if (e.to().startsWith("dev.hearth.") && !e.fromPackage().equals(e.toPackage())) {
                graph.computeIfAbsent(e.fromPackage(), k -> new TreeSet<>()).add(e.toPackage());
            }
        }
        Map<String, List<String>> cycles = new TreeMap<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                Map<String, List<String>> byPair = new TreeMap<>();
                edges.stream()
                        .filter(e -> component.contains(e.fromPackage()) && component.contains(e.toPackage())
                                && !e.fromPackage().equals(e.toPackage()))
                        .forEach(e -> byPair.computeIfAbsent(e.fromPackage() + " -> " + e.toPackage(),
                                k -> new ArrayList<>()).add(e.toString()));
                cycles.put(String.join(" <-> ", component), byPair.entrySet().stream()
                        .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingInt(List::size)))
                        .map(p -> p.getKey() + ": " + p.getValue().stream().distinct().toList()).toList());
            }
        }
        return cycles;
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, components);
            }
        }
        return components;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> components) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, components);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            components.add(component);
        }
    }

    private static Path classesOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Whether {@code pkg} is {@code root} or one of its sub-packages. */
    private static boolean within(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** The package of a class name as jdeps writes it (nested classes after a {@code $}). */
    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
