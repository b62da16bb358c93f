package dev.hearth.server.hub;

import java.util.List;

/** A repository at one commit: the commit id, whether it is gated, and its files. */
public record HfRepoInfo(String repo, String commit, boolean gated, List<HfRepoFile> files) {
    public HfRepoInfo {
        files = List.copyOf(files);
    }
}
