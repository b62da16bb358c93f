package dev.hearth.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    static SamplingParams params(float temperature, int topK, float topP, float minP) {
        return new SamplingParams(temperature, topK, topP, minP, 1f, 0f, 0f, 0, Map.of(), 42L);
    }

    static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) logits[i] = (float) (r.nextGaussian() * 3);
        return logits;
    }

    /** Reference: ids sorted by logit descending, lower id first on ties. */
    static Integer[] order(float[] logits) {
        Integer[] ids = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(ids, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        return ids;
    }

    static Set<Integer> kept(Sampler sampler) {
        Candidates c = sampler.lastCandidates();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < c.size(); i++) ids.add(c.id(i));
        return ids;
    }

    @Test
    void greedyIsArgmaxWithLowestIdOnTies() {
        float[] logits = {1f, 5f, 3f, 5f, -2f};
        Sampler sampler = new Sampler(SamplingParams.greedy(), logits.length);
        assertThat(sampler.sample(logits)).isEqualTo(1);
        float[] big = randomLogits(152_000, 1);
        assertThat(new Sampler(SamplingParams.greedy(), big.length).sample(big)).isEqualTo(order(big)[0]);
    }

    @Test
    void topKKeepsTheKBestSortedBestFirst() {
        float[] logits = randomLogits(1000, 2);
        Integer[] ref = order(logits);
        for (int k : new int[] {1, 5, 40, 999}) {
            Sampler sampler = new Sampler(params(1f, k, 1f, 0f), logits.length);
            int token = sampler.sample(logits);
            Candidates c = sampler.lastCandidates();
            assertThat(c.size()).isEqualTo(k);
            for (int i = 0; i < k; i++) assertThat(c.id(i)).isEqualTo(ref[i]);
            assertThat(kept(sampler)).contains(token);
        }
        Sampler one = new Sampler(params(1f, 1, 1f, 0f), logits.length);
        for (int i = 0; i < 20; i++) assertThat(one.sample(logits)).isEqualTo(ref[0]);
    }

    @Test
    void softmaxAndTemperatureMatchReference() {
        float[] logits = {2f, 1f, 0.5f, -1f};
        Sampler sampler = new Sampler(params(0.5f, 4, 1f, 0f), logits.length);
        sampler.sample(logits);
        Candidates c = sampler.lastCandidates();
        double z = 0;
        for (float l : logits) z += Math.exp(l / 0.5);
        for (int i = 0; i < 4; i++) {
            assertThat((double) c.prob(i)).isCloseTo(Math.exp(logits[c.id(i)] / 0.5) / z, within(1e-6));
        }
    }

    @Test
    void topPKeepsSmallestPrefixReachingP() {
        float[] logits = randomLogits(5000, 3);
        Integer[] ref = order(logits);
        double z = 0;
        for (float l : logits) z += Math.exp(l);
        for (float p : new float[] {0.5f, 0.9f, 0.99f}) {
            int expected = 0;
            double cumulative = 0;
            while (cumulative < p) cumulative += Math.exp(logits[ref[expected++]]) / z;
            for (int k : new int[] {0, 200}) { // unsorted path (no top-k) and sorted path
                Sampler sampler = new Sampler(params(1f, k, p, 0f), logits.length);
                sampler.sample(logits);
                int want = k == 0 ? expected : Math.min(expected, k);
                if (k != 0) { // with top-k, p applies to the renormalized top-k
                    double zk = 0;
                    for (int i = 0; i < k; i++) zk += Math.exp(logits[ref[i]]);
                    want = 0;
                    cumulative = 0;
                    while (cumulative < p && want < k) cumulative += Math.exp(logits[ref[want++]]) / zk;
                }
                assertThat(sampler.lastCandidates().size()).as("p=%s k=%s", p, k).isEqualTo(want);
                for (int i = 0; i < want; i++) assertThat(sampler.lastCandidates().id(i)).isEqualTo(ref[i]);
            }
        }
        Sampler tiny = new Sampler(params(1f, 0, 1e-6f, 0f), logits.length);
        for (int i = 0; i < 20; i++) assertThat(tiny.sample(logits)).isEqualTo(ref[0]);
        Sampler all = new Sampler(params(1f, 0, 1f, 0f), logits.length);
        all.sample(logits);
        assertThat(all.lastCandidates().size()).isEqualTo(logits.length);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        float[] logits = randomLogits(3000, 4);
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < logits.length; i++) {
            if (Math.exp(logits[i] - max) >= 0.05) expected.add(i);
        }
        Sampler sampler = new Sampler(params(1f, 0, 1f, 0.05f), logits.length);
        assertThat(expected).contains(sampler.sample(logits));
        assertThat(kept(sampler)).isEqualTo(expected);
    }

    @Test
    void penaltiesFollowLlamaCpp() {
        float[] logits = {2f, -1f, 3f, 0.5f, 1f};
        SamplingParams p = new SamplingParams(0f, 0, 1f, 0f, 2f, 0.5f, 0.25f, 3, Map.of(), 1L);
        Sampler sampler = new Sampler(p, logits.length);
        for (int t : new int[] {0, 2, 2, 1}) sampler.accept(t); // window 3: keeps 2, 2, 1 (0 has left)
        sampler.sample(logits);
        Candidates c = sampler.lastCandidates();
        float[] expected = {2f, -1f * 2f - 0.25f - 0.5f, 3f / 2f - 2 * 0.25f - 0.5f, 0.5f, 1f};
        for (int i = 0; i < c.size(); i++) assertThat(c.logit(i)).isEqualTo(expected[c.id(i)], within(1e-6f));
        // greedy on penalized logits: token 0 (2.0) now beats token 2 (0.5)
        Sampler greedy = new Sampler(p, 5);
        greedy.accept(2);
        greedy.accept(2);
        assertThat(greedy.sample(logits)).isEqualTo(0);
    }

    @Test
    void logitBiasBansAndBoosts() {
        float[] logits = {5f, 4f, 3f};
        SamplingParams ban = new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0,
                Map.of(0, Float.NEGATIVE_INFINITY, 2, 1.5f), null);
        assertThat(new Sampler(ban, 3).sample(logits)).isEqualTo(2);
        assertThatThrownBy(() -> new Sampler(ban, 2)).hasMessageContaining("logitBias token id 2");
    }

    @Test
    void seededRunsRepeatAndSeedsDiffer() {
        float[] logits = randomLogits(1000, 5);
        SamplingParams p = new SamplingParams(1.5f, 0, 1f, 0f, 1.1f, 0f, 0f, 16, Map.of(), 1234L);
        int[] a = run(new Sampler(p, 1000), logits, 200);
        int[] b = run(new Sampler(p, 1000), logits, 200);
        int[] c = run(new Sampler(p.withSeed(99L), 1000), logits, 200);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        Sampler unseeded = new Sampler(p.withSeed(null), 1000);
        assertThat(run(new Sampler(p.withSeed(unseeded.seed()), 1000), logits, 50)).isEqualTo(run(unseeded, logits, 50));
    }

    static int[] run(Sampler sampler, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = sampler.sample(logits);
        return out;
    }

    @Test
    void samplingFollowsTheDistribution() {
        double[] p = {0.1, 0.2, 0.3, 0.4};
        float[] logits = new float[p.length];
        for (int i = 0; i < p.length; i++) logits[i] = (float) Math.log(p[i]);
        Sampler sampler = new Sampler(params(1f, 0, 1f, 0f), p.length);
        int[] counts = new int[p.length];
        int n = 10_000;
        for (int i = 0; i < n; i++) counts[sampler.sample(logits)]++;
        for (int i = 0; i < p.length; i++) {
            // 4 standard deviations of a binomial proportion at n = 10k is at most 0.02
            assertThat(counts[i] / (double) n).as("token %d", i).isCloseTo(p[i], within(0.02));
        }
        // temperature 0.5 squares and renormalizes the distribution
        Sampler sharp = new Sampler(params(0.5f, 0, 1f, 0f), p.length);
        Arrays.fill(counts, 0);
        for (int i = 0; i < n; i++) counts[sharp.sample(logits)]++;
        assertThat(counts[3] / (double) n).isCloseTo(0.16 / 0.30, within(0.02));
    }

    @Test
    void logprobsFromRawLogits() {
        float[] logits = randomLogits(5000, 6);
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double z = 0;
        for (float l : logits) z += Math.exp(l - max);
        double logZ = max + Math.log(z);
        Integer[] ref = order(logits);
        TopLogprobs out = new TopLogprobs(5);
        Sampler.logprobs(logits, logits.length, 17, out);
        assertThat((double) out.chosenLogprob()).isCloseTo(logits[17] - logZ, within(1e-4));
        assertThat(out.count()).isEqualTo(5);
        for (int r = 0; r < 5; r++) {
            assertThat(out.id(r)).isEqualTo(ref[r]);
            assertThat((double) out.logprob(r)).isCloseTo(logits[ref[r]] - logZ, within(1e-4));
        }
    }

    @Test
    void validationNamesTheField() {
        assertThatThrownBy(() -> new SamplingParams(-1f, 0, 1f, 0f, 1f, 0f, 0f, 0, null, null)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1f, -1, 1f, 0f, 1f, 0f, 0f, 0, null, null)).hasMessageContaining("topK");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 0f, 0f, 1f, 0f, 0f, 0, null, null)).hasMessageContaining("topP");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 2f, 1f, 0f, 0f, 0, null, null)).hasMessageContaining("minP");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 0f, 0f, 0f, 0, null, null)).hasMessageContaining("repetitionPenalty");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 1f, 3f, 0f, 0, null, null)).hasMessageContaining("presencePenalty");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, Float.NaN, 0, null, null)).hasMessageContaining("frequencyPenalty");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, -1, null, null)).hasMessageContaining("penaltyWindow");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, 0, Map.of(-3, 1f), null)).hasMessageContaining("logitBias");
    }
}
