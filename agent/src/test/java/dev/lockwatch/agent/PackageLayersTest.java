package dev.lockwatch.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: packages are layers with no arrow running back up (STYLE.md). Read from the compiled classes
 * (every type a class file names: fields, signatures, instructions, constants), so an import that javac folded
 * away or a fully qualified name counts as much as an {@code import} line.
 * <ul>
 *   <li>no cycle between the packages of {@code dev.lockwatch.agent} (the root package, the composition root
 *       with {@code AgentMain} and {@code Lockwatch}, included);</li>
 *   <li>{@code dev.lockwatch.bootstrap}, which code inside {@code java.base} calls, names nothing outside
 *       {@code java.*} and itself.</li>
 * </ul>
 */
class PackageLayersTest {
    private static final String AGENT = "dev/lockwatch/agent";
    private static final String BOOTSTRAP = "dev/lockwatch/bootstrap";

    /** Package to package, each edge with one class that makes it (for the failure message). */
    private static Map<String, Map<String, String>> dependencies() throws IOException, URISyntaxException {
        Path classes = Path.of(Lockwatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Map<String, String>> edges = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(files.size() > 50, "the compiled classes are at " + classes);
        for (Path file : files) {
            ClassReader reader = new ClassReader(Files.readAllBytes(file));
            String self = reader.getClassName();
            String from = packageOf(self);
            Map<String, String> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
            reader.accept(new ClassRemapper(new ClassVisitor(Opcodes.ASM9) {
            }, new Remapper() {
                @Override
                public String map(String internalName) {
                    String to = packageOf(internalName);
                    if (!to.equals(from)) {
                        out.putIfAbsent(to, self + " -> " + internalName);
                    }
                    return internalName;
                }
            }), 0);
        }
        return edges;
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    @Test
    void noCycleBetweenTheAgentsPackages() throws Exception {
        Map<String, Map<String, String>> deps = dependencies();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Map.Entry<String, Map<String, String>> e : deps.entrySet()) {
            if (e.getKey().startsWith(AGENT)) {
                Set<String> to = new TreeSet<>();
                for (String t : e.getValue().keySet()) {
                    if (t.startsWith(AGENT)) {
                        to.add(t);
                    }
                }
                graph.put(e.getKey(), to);
            }
        }
        assertTrue(graph.keySet().containsAll(List.of(AGENT + "/instrument", AGENT + "/detect", AGENT + "/graph",
                AGENT + "/report", AGENT + "/alert", AGENT + "/ops")), graph.keySet().toString());
        assertTrue(graph.get(AGENT + "/detect").contains(AGENT + "/graph"), "edges are read: " + graph);
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                StringBuilder sb = new StringBuilder(component.toString().replace(AGENT + "/", "")).append(':');
                for (String from : component) {
                    for (String to : graph.get(from)) {
                        if (component.contains(to)) {
                            sb.append("\n    ").append(deps.get(from).get(to));
                        }
                    }
                }
                cycles.add(sb.toString());
            }
        }
        assertEquals(List.of(), cycles, "package cycles, each with one class per edge:\n" + String.join("\n", cycles));
    }

    @Test
    void theBootstrapPackageNeedsOnlyTheJdk() throws Exception {
        List<String> outside = new ArrayList<>();
        for (Map.Entry<String, String> e : dependencies().getOrDefault(BOOTSTRAP, Map.of()).entrySet()) {
            if (!e.getKey().startsWith("java/")) {
                outside.add(e.getValue());
            }
        }
        assertEquals(List.of(), outside, "code inside java.base calls the bootstrap classes, which the bootstrap"
                + " loader must load with nothing but the JDK");
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String root : graph.keySet()) {
            if (!index.containsKey(root)) {
                connect(root, graph, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, next); // at most a dozen packages deep
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
            out.add(component);
        }
    }
}
