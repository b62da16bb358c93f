package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.kv.BlockAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Priorities, aging, fair share between agents and priority-aware preemption, on the scheduler alone: each step
 * plans a batch, every logits owner "samples" one token, and a sequence ends at its token limit. Deterministic: no
 * model, no threads, no clock.
 */
class FairSchedulingTest {
    /** The scheduler plus a step loop that records in which order sequences finish. */
    private static final class Harness {
        final Scheduler scheduler;
        final BlockAllocator blocks;
        final StepBatch batch;
        final List<String> finished = new ArrayList<>();
        final List<Integer> rowsPerStep = new ArrayList<>();
        final java.util.Map<String, Integer> tokensByAgent = new java.util.TreeMap<>();
        long steps;
        private long ids;

        Harness(int slots, int budget, int kvBlocks, int agingSteps) {
            blocks = new BlockAllocator(kvBlocks, 16);
            scheduler = new Scheduler(slots, budget, blocks, agingSteps);
            batch = new StepBatch(budget);
        }

        Sequence submit(String name, String agent, Priority priority, int promptLength, int maxTokens) {
            return submit(name, new Scheduling(agent, priority, 1), promptLength, maxTokens);
        }

        Sequence submit(String name, Scheduling scheduling, int promptLength, int maxTokens) {
            int[] prompt = EngineTest.prompt((int) ids + 1, promptLength);
            GenerationRequest r = GenerationRequest.greedyIds(prompt, maxTokens, Set.of()).withScheduling(scheduling);
            Sequence s = new Sequence(++ids, r, new GenerationHandle(), promptLength + maxTokens + 1);
            names.add(name);
            seqs.add(s);
            scheduler.enqueue(s);
            return s;
        }

        final List<String> names = new ArrayList<>();
        final List<Sequence> seqs = new ArrayList<>();

        void step() {
            List<Sequence> owners = new ArrayList<>(scheduler.plan(batch));
            rowsPerStep.add(batch.size());
            scheduler.commit();
            steps++;
            for (Sequence s : owners) {
                tokensByAgent.merge(s.scheduling.agent(), 1, Integer::sum);
                s.append((int) ((s.id * 31 + s.length) % 500));
                if (s.generated() >= s.request.maxTokens()) {
                    scheduler.remove(s);
                    finished.add(names.get(seqs.indexOf(s)));
                }
            }
        }

        void runUntilIdle(int maxSteps) {
            for (int i = 0; i < maxSteps && !scheduler.idle(); i++) {
                step();
            }
            assertThat(scheduler.idle()).as("idle after " + maxSteps + " steps").isTrue();
        }
    }

    @Test
    void fixedWorkloadInterleavesAgentsInAPredictableOrder() {
        Harness h = new Harness(2, 64, 64, 256);
        for (int i = 1; i <= 3; i++) {
            h.submit("a" + i, "alice", Priority.NORMAL, 8, 4);
        }
        for (int i = 1; i <= 3; i++) {
            h.submit("b" + i, "bob", Priority.NORMAL, 8, 4);
        }
        h.runUntilIdle(100);
        // first come, first served would give a1 a2 a3 b1 b2 b3: the slots alternate between the agents instead
        assertThat(h.finished).containsExactly("a1", "b1", "a2", "b2", "a3", "b3");
        assertThat(h.scheduler.fairShare().jainIndex()).isEqualTo(1.0);
    }

    @Test
    void highPriorityIsAdmittedFirstAndAnonymousRequestsStayFirstComeFirstServed() {
        Harness h = new Harness(1, 64, 64, 1000);
        h.submit("n1", "", Priority.NORMAL, 8, 2);
        h.submit("n2", "", Priority.NORMAL, 8, 2);
        h.submit("low", "x", Priority.LOW, 8, 2);
        h.submit("high", "y", Priority.HIGH, 8, 2);
        h.submit("n3", "", Priority.NORMAL, 8, 2);
        h.runUntilIdle(100);
        assertThat(h.finished).containsExactly("high", "n1", "n2", "n3", "low");
    }

    @Test
    void greedyAgentWithManyRequestsCannotStarveASecondAgent() {
        Harness h = new Harness(4, 64, 256, 256);
        for (int i = 0; i < 40; i++) {
            h.submit("g" + i, "greedy", Priority.NORMAL, 8, 8);
        }
        for (int i = 0; i < 5; i++) {
            h.step();
        }
        for (int i = 0; i < 4; i++) {
            h.submit("b" + i, "bob", Priority.NORMAL, 8, 8);
        }
        h.runUntilIdle(1000);
        int lastBob = h.finished.indexOf("b3");
        long greedyBefore = h.finished.subList(0, lastBob).stream().filter(n -> n.startsWith("g")).count();
        // first come, first served: bob's 4 requests wait for all 40 greedy ones. Fair share: bob gets half the
        // slots as soon as his requests arrive, so his four finish within two rounds of the greedy agent's
        assertThat(greedyBefore).as("greedy requests finished before bob's last").isLessThanOrEqualTo(8);
        // weighted tokens: greedy 40 x 8, bob 4 x 8 -> (352^2) / (2 (320^2 + 32^2))
        assertThat(h.scheduler.fairShare().jainIndex()).isCloseTo(352.0 * 352 / (2 * (320.0 * 320 + 32 * 32)),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(h.scheduler.fairShare().generatedByAgent()).containsEntry("greedy", 320L).containsEntry("bob", 32L);
    }

    @Test
    void underATokenBudgetAnAgentOfWeightTwoGetsTwiceTheTokens() {
        // two sequences each, room for 3 rows per step: rows go to the agent with the least tokens over weight
        Harness h = new Harness(4, 3, 64, 256);
        for (int i = 0; i < 2; i++) {
            h.submit("h" + i, new Scheduling("heavy", Priority.NORMAL, 2), 1, 200);
            h.submit("l" + i, new Scheduling("light", Priority.NORMAL, 1), 1, 200);
        }
        for (int i = 0; i < 90; i++) {
            h.step();
        }
        System.out.println("weighted, token budget: " + h.tokensByAgent);
        assertThat(h.tokensByAgent).containsEntry("heavy", 180).containsEntry("light", 90);
    }

    @Test
    void withFewSlotsAnAgentOfWeightTwoHoldsTwiceTheSlots() {
        // three slots, many short requests from both: admission goes to the fewest running sequences per weight
        Harness h = new Harness(3, 64, 256, 256);
        for (int i = 0; i < 30; i++) {
            h.submit("l" + i, new Scheduling("light", Priority.NORMAL, 1), 4, 6);
            h.submit("h" + i, new Scheduling("heavy", Priority.NORMAL, 2), 4, 6);
        }
        for (int i = 0; i < 60; i++) {
            h.step();
        }
        System.out.println("weighted, slots: " + h.tokensByAgent);
        assertThat(h.tokensByAgent).containsEntry("heavy", 120).containsEntry("light", 60);
        h.runUntilIdle(1000);
        // the index weighs tokens by weight: 180 / 2 and 180 / 1 -> (90 + 180)^2 / (2 (90^2 + 180^2)) = 0.9
        assertThat(h.scheduler.fairShare().jainIndex()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void underATokenBudgetTheLeastServedAgentStepsFirst() {
        // 4 running sequences but room for 2 rows per step: by admission order alice's first two would take every
        // row until they finish (a1 a2 a3 b1); fair share gives bob's single sequence a row in every step after
        // the first, so it finishes second, right after alice's first
        Harness h = new Harness(4, 2, 64, 256);
        h.submit("a1", "alice", Priority.NORMAL, 1, 12);
        h.submit("a2", "alice", Priority.NORMAL, 1, 12);
        h.submit("a3", "alice", Priority.NORMAL, 1, 12);
        h.submit("b1", "bob", Priority.NORMAL, 1, 12);
        h.runUntilIdle(200);
        assertThat(h.rowsPerStep).allMatch(r -> r <= 2);
        assertThat(h.finished).containsExactly("a1", "b1", "a2", "a3");
        assertThat(h.steps).isEqualTo(4 * 12 / 2);
    }

    @Test
    void lowPriorityStillCompletesUnderAStreamOfHighPriorityWork() {
        Harness h = new Harness(1, 64, 64, 16);
        h.submit("low", "batch", Priority.LOW, 8, 4);
        int high = 0;
        for (int step = 0; step < 400 && !h.finished.contains("low"); step++) {
            while (h.scheduler.waitingCount() < 3) {
                h.submit("h" + high, "interactive" + (high % 2), Priority.HIGH, 8, 4);
                high++;
            }
            h.step();
        }
        // aging: after 2 x 16 steps of waiting the low request reaches the high class and gets the next slot
        assertThat(h.finished).contains("low");
        assertThat(h.finished.indexOf("low")).isBetween(2, 12);
    }

    @Test
    void withoutAgingLowPriorityWaitsForAllHighPriorityWork() {
        Harness h = new Harness(1, 64, 64, 1_000_000);
        h.submit("low", "batch", Priority.LOW, 8, 4);
        for (int i = 0; i < 20; i++) {
            h.submit("h" + i, "interactive", Priority.HIGH, 8, 4);
        }
        h.runUntilIdle(1000);
        assertThat(h.finished.getLast()).isEqualTo("low");
    }

    @Test
    void kvShortagePreemptsLowPriorityEvenWhenItWasAdmittedFirst() {
        // 8 blocks of 16: both prompts fit (2 blocks each), but both growing to 64 positions need 8 blocks in all
        // plus headroom, so one must be preempted: the low-priority one, although the high one came later
        Harness h = new Harness(2, 64, 7, 256);
        Sequence low = h.submit("low", "batch", Priority.LOW, 20, 40);
        h.step();
        Sequence high = h.submit("high", "chat", Priority.HIGH, 20, 40);
        h.runUntilIdle(1000);
        assertThat(low.preemptions).isGreaterThan(0);
        assertThat(high.preemptions).isZero();
        assertThat(h.finished).containsExactly("high", "low");
        assertThat(h.blocks.available()).isEqualTo(h.blocks.totalBlocks());
    }

    @Test
    void waitingHighPriorityPreemptsRunningLowPriorityWhenSlotsAreFull() {
        Harness h = new Harness(2, 64, 64, 1_000_000);
        Sequence low1 = h.submit("low1", "batch", Priority.LOW, 8, 50);
        Sequence low2 = h.submit("low2", "batch", Priority.LOW, 8, 50);
        h.step();
        h.step();
        h.submit("high", "chat", Priority.HIGH, 8, 3);
        h.runUntilIdle(1000);
        assertThat(h.finished.getFirst()).isEqualTo("high");
        // the most recently admitted low-priority sequence made room
        assertThat(low2.preemptions).isEqualTo(1);
        assertThat(low1.preemptions).isZero();
        assertThat(h.scheduler.preemptions()).isEqualTo(1);
    }
}
