package dev.hearth.server.hub;

/**
 * A file in a Hub repository, from the tree listing. {@code sha256} is the LFS object id (the SHA-256 of the
 * content) for LFS files, null for small files stored in git directly.
 */
public record HfRepoFile(String path, long size, String sha256) {
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
