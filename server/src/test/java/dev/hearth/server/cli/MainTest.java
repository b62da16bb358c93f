package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Main#commandLine}: the command a run names is built alone; the usage and unknown commands see all. */
class MainTest {
    @Test
    void theNamedCommandIsBuiltAloneAndEveryOtherCaseSeesAll() {
        assertThat(Main.commandLine("serve").getSubcommands()).containsOnlyKeys("serve");
        assertThat(Main.commandLine("ls").getSubcommands()).containsOnlyKeys("list", "ls");  // an alias
        assertThat(Main.commandLine("keys").getSubcommands().get("keys").getSubcommands()).containsKey("create");
        int all = Main.COMMANDS.size();
        assertThat(Main.commandLine(null).getSubcommands().values().stream().distinct()).hasSize(all);
        assertThat(Main.commandLine("--help").getSubcommands().values().stream().distinct()).hasSize(all);
        assertThat(Main.commandLine("bogus").getSubcommands().values().stream().distinct()).hasSize(all);
        assertThat(Main.run("bogus")).isNotZero();
    }
}
