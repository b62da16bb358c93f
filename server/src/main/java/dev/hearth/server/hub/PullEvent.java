package dev.hearth.server.hub;

import java.util.List;

/** What a pull reports as it goes; the CLI draws a progress bar from these, the server streams them. */
public sealed interface PullEvent {
    /** Asking the Hub at {@code endpoint} (with where that setting comes from) about the repository. */
    record Resolving(String ref, String repo, String revision, String endpoint) implements PullEvent {}

    /** The files to fetch are known. */
    record Resolved(String repo, String commit, List<HfRepoFile> files, long totalBytes) implements PullEvent {}

    /** A file starts (or resumes, when {@code resumedFrom} > 0). */
    record FileStarted(String file, long size, long resumedFrom) implements PullEvent {}

    /** Bytes arrived. */
    record Progress(String file, long fileBytes, long fileSize, long totalBytes, long totalSize) implements PullEvent {}

    /** A transfer failed and will be tried again after {@code delayMillis}. */
    record Retrying(String file, int attempt, int maxAttempts, long delayMillis, String reason) implements PullEvent {}

    /** A file is complete and its hash checked; {@code alreadyPresent} when no bytes had to be fetched. */
    record FileDone(String file, String sha256, boolean alreadyPresent) implements PullEvent {}

    /** The model is in the store under {@code manifest.name()}. */
    record Done(ModelManifest manifest) implements PullEvent {}
}
