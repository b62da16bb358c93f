package dev.hearth.server.chat;

/**
 * Chat formats for GGUF files that carry no {@code tokenizer.chat_template}, chosen by model family as llama.cpp
 * does: ChatML for Qwen, the Llama 3 header format for llama models with the Llama 3 (gpt2-style) vocabulary,
 * Mistral's {@code [INST]} format for SentencePiece llama models. Anything else gets ChatML.
 */
final class FallbackTemplates {
    private FallbackTemplates() {}

    static final String CHATML = """
            {%- for message in messages -%}
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}""";

    static final String LLAMA3 = """
            {{- bos_token -}}
            {%- for message in messages -%}
            {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + message.content | trim + '<|eot_id|>' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}{%- endif -%}""";

    static final String MISTRAL = """
            {%- if messages[0].role == 'system' -%}
            {%- set system_message = messages[0].content -%}{%- set loop_messages = messages[1:] -%}
            {%- else -%}{%- set loop_messages = messages -%}{%- endif -%}
            {{- bos_token -}}
            {%- for message in loop_messages -%}
            {%- if message.role == 'user' -%}
            {%- if loop.first and system_message is defined -%}
            {{- ' [INST] ' + system_message + '\\n\\n' + message.content + ' [/INST]' -}}
            {%- else -%}{{- ' [INST] ' + message.content + ' [/INST]' -}}{%- endif -%}
            {%- elif message.role == 'assistant' -%}{{- ' ' + message.content + eos_token -}}
            {%- else -%}{{- raise_exception('Only user and assistant roles are supported after an optional system message') -}}
            {%- endif -%}
            {%- endfor -%}""";

    /**
     * @param architecture   {@code general.architecture}
     * @param tokenizerModel {@code tokenizer.ggml.model} ("gpt2" for byte-level BPE, "llama" for SentencePiece)
     */
    static String forFamily(String architecture, String tokenizerModel) {
        return switch (architecture) {
            case "qwen2", "qwen3", "qwen2moe", "qwen3moe" -> CHATML;
            case "llama" -> "llama".equals(tokenizerModel) ? MISTRAL : LLAMA3;
            default -> CHATML;
        };
    }
}
