package dev.hearth.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SelectionTest {
    @Test
    void selectAndSortMatchAFullSortIncludingTies() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            int[] ids = new int[n];
            float[] values = new float[n];
            float[] payload = new float[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i;
                values[i] = r.nextInt(20); // many ties
                payload[i] = values[i] * 10 + i;
            }
            int k = 1 + r.nextInt(n);
            Selection.selectTop(ids, values, payload, 0, n, k);
            Selection.sort(ids, values, payload, 0, k);
            Integer[] ref = SamplerTest.order(reconstruct(ids, values));
            for (int i = 0; i < k; i++) {
                assertThat(ids[i]).isEqualTo(ref[i]);
                assertThat(payload[i]).isEqualTo(values[i] * 10 + ids[i]);
            }
        }
    }

    @Test
    void heapTopMatchesAFullSortIncludingTies() {
        Random r = new Random(8);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(500);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = r.nextInt(30);
            int k = 1 + r.nextInt(n);
            int[] ids = new int[k];
            float[] top = new float[k];
            Selection.heapTop(values, n, k, ids, top);
            float[] payload = new float[k];
            Selection.sort(ids, top, payload, 0, k);
            Integer[] ref = SamplerTest.order(values);
            for (int i = 0; i < k; i++) {
                assertThat(ids[i]).isEqualTo(ref[i]);
                assertThat(top[i]).isEqualTo(values[ref[i]]);
            }
        }
    }

    static float[] reconstruct(int[] ids, float[] values) {
        float[] byId = new float[ids.length];
        for (int i = 0; i < ids.length; i++) byId[ids[i]] = values[i];
        return byId;
    }
}
