package dev.hearth.gpu;

import static org.lwjgl.util.shaderc.Shaderc.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our GLSL compute shaders (resources under {@code dev/hearth/gpu/shaders}) compiled to SPIR-V at run time by
 * shaderc, with {@code #define}s for the variants (weight type, KV precision); each variant once per process.
 * {@code #include "x.glsl"} lines are replaced by that resource (its own includes expanded) before compiling.
 */
final class ShaderCompiler {
    private static final String ROOT = "/dev/hearth/gpu/shaders/";
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private ShaderCompiler() {
    }

    /** SPIR-V of shader {@code name} with the defines ("NAME VALUE" lines, may be empty). */
    static byte[] spirv(String name, String defines) {
        return CACHE.computeIfAbsent(name + "|" + defines, k -> compile(name, defines));
    }

    static String source(String name, String defines) {
        String text = resource(name);
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#version")) {
                out.append(line).append('\n');
                for (String d : defines.split(";")) {
                    if (!d.isBlank()) {
                        out.append("#define ").append(d.strip()).append('\n');
                    }
                }
            } else if (line.startsWith("#include \"")) {
                out.append(included(line.substring(10, line.lastIndexOf('"')), 0));
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** An included file with its own includes expanded (at most a few levels: include files do not loop). */
    private static String included(String name, int depth) {
        if (depth > 4) {
            throw new IllegalStateException("shader includes nest deeper than 4 at " + name);
        }
        StringBuilder out = new StringBuilder();
        for (String line : resource(name).split("\n", -1)) {
            if (line.startsWith("#include \"")) {
                out.append(included(line.substring(10, line.lastIndexOf('"')), depth + 1));
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ShaderCompiler.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("shader resource " + ROOT + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] compile(String name, String defines) {
        String src = source(name, defines);
        long compiler = shaderc_compiler_initialize();
        long options = shaderc_compile_options_initialize();
        try {
            shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_1);
            shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
            long result = shaderc_compile_into_spv(compiler, src, shaderc_glsl_compute_shader, name, "main", options);
            try {
                if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
                    throw new IllegalStateException("shader " + name + " [" + defines + "] does not compile: "
                            + shaderc_result_get_error_message(result));
                }
                ByteBuffer bytes = shaderc_result_get_bytes(result);
                byte[] out = new byte[bytes.remaining()];
                bytes.get(out);
                return out;
            } finally {
                shaderc_result_release(result);
            }
        } finally {
            shaderc_compile_options_release(options);
            shaderc_compiler_release(compiler);
        }
    }
}
