package dev.hearth.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer from regexes applied in turn as llama.cpp's {@code unicode_regex_split} does: each regex splits
 * every piece the previous one left, and the text between two matches stays a piece of its own. {@code \s} is
 * Unicode White_Space. Used for rare pre-tokenizers and as the oracle for the hand-written ones.
 */
final class RegexPreTokenizer implements PreTokenizer {
    private final List<Pattern> patterns;

    RegexPreTokenizer(List<String> regexes) {
        this.patterns = regexes.stream().map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toList();
    }

    @Override
    public void split(String text, int from, int to, IntList wordEnds) {
        IntList ends = new IntList(16);
        ends.add(to);
        for (Pattern pattern : patterns) {
            IntList next = new IntList(ends.size() * 2);
            Matcher m = pattern.matcher(text);
            int start = from;
            for (int i = 0; i < ends.size(); i++) {
                int end = ends.get(i);
                m.region(start, end);
                int last = start;
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue;
                    }
                    if (m.start() > last) {
                        next.add(m.start());
                    }
                    next.add(m.end());
                    last = m.end();
                }
                if (last < end) {
                    next.add(end);
                }
                start = end;
            }
            ends = next;
        }
        for (int i = 0; i < ends.size(); i++) {
            wordEnds.add(ends.get(i));
        }
    }
}
