package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpaceCleanerTest {
    private static String clean(String s) {
        return new String(SpaceCleaner.clean(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void removesSpacesAsLlamaCppCleanSpaces() {
        assertThat(clean("Hi , there ! ok . why ?")).isEqualTo("Hi, there! ok. why?");
        assertThat(clean("rock ' n roll")).isEqualTo("rock'n roll");
        assertThat(clean("he 's I 'm we 're you 've I 'll it 't")).isEqualTo("he's I'm we're you've I 'll it 't");
        assertThat(clean("")).isEmpty();
        assertThat(clean(" .")).isEqualTo(".");
    }

    @Test
    void cleaningInSafeCutsEqualsCleaningTheWhole() {
        java.util.Random random = new java.util.Random(7);
        String alphabet = " '?!.,abcsmrvelx";
        for (int n = 0; n < 5000; n++) {
            byte[] text = new byte[random.nextInt(40)];
            for (int i = 0; i < text.length; i++) {
                text[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] rest = text;
            int cut;
            while ((cut = SpaceCleaner.lastSafeCut(rest, rest.length)) > 0) {
                out.writeBytes(SpaceCleaner.clean(java.util.Arrays.copyOf(rest, cut)));
                rest = java.util.Arrays.copyOfRange(rest, cut, rest.length);
            }
            out.writeBytes(SpaceCleaner.clean(rest));
            assertThat(out.toByteArray()).as(new String(text)).isEqualTo(SpaceCleaner.clean(text));
        }
    }
}
