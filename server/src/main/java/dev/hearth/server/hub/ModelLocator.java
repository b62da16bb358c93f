package dev.hearth.server.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one answer to "which model file does this name mean", shared by {@code serve}, {@code run}, {@code bench},
 * {@code logits}, {@code tokenize}, {@code detokenize} and routing configurations: a GGUF file path (command line
 * only), else a model in the local store, else a catalogue name or {@code hf://} reference, pulled into the store on
 * first use when a {@link Puller} is given. Anything else is an error that says what was tried and what to do.
 */
public final class ModelLocator {
    /** Asked before a pull starts; throws to refuse it (the server refuses models too big for free memory). */
    @FunctionalInterface
    public interface PullGuard {
        PullGuard NONE = (requested, ref) -> { };

        void beforePull(String requested, PullRef ref);
    }

    private final ModelStore store;
    private final Puller puller;

    /** @param puller null: catalogue names that are not stored yet are an error naming {@code hearth pull} */
    public ModelLocator(ModelStore store, Puller puller) {
        this.store = store;
        this.puller = puller;
    }

    public ModelStore store() {
        return store;
    }

    /** Whether models that are not stored can be pulled (a puller was given). */
    public boolean canPull() {
        return puller != null;
    }

    /**
     * Whether {@code text} is meant as a file path rather than a model name: it holds a path separator or ends in
     * {@code .gguf} ({@code hf://} references excepted).
     */
    public static boolean looksLikePath(String text) {
        return !text.startsWith("hf://") && (text.contains("/") || text.contains("\\")
                || text.toLowerCase(Locale.ROOT).endsWith(".gguf"));
    }

    /** A GGUF file, a stored model, or a catalogue name / {@code hf://} reference (pulled when not stored). */
    public ResolvedModel locate(String text, PullListener listener) throws IOException {
        if (text == null || text.isBlank()) {
            throw new HubException("no model given: name a GGUF file, a model in the store or a catalogue model");
        }
        Path path = asPath(text);
        if (path != null && Files.isRegularFile(path)) {
            return file(path, path.getFileName().toString().replaceFirst("(?i)\\.gguf$", ""));
        }
        if (looksLikePath(text)) {
            throw new HubException("model file not found: " + text);
        }
        return locateName(text, listener, PullGuard.NONE);
    }

    /**
     * A stored model, or a catalogue name / {@code hf://} reference pulled on first use; never a file path (what
     * HTTP requests may name).
     *
     * @throws ModelNotFoundException when it is neither stored nor pullable
     */
    public ResolvedModel locateName(String name, PullListener listener, PullGuard guard) throws IOException {
        Optional<String> stored = storedName(name);
        if (stored.isPresent()) {
            return store.resolve(stored.get());
        }
        PullRef ref;
        try {
            ref = PullRef.parse(name);
        } catch (HubException notPullable) {
            throw new ModelNotFoundException(printable(name), "no model '" + printable(name) + "': it is not in the"
                    + " local store ('hearth list') nor in the catalogue ('hearth catalogue'); pull a catalogue model"
                    + " ('hearth pull NAME') or put a GGUF file in the store with 'hearth import FILE "
                    + printable(name) + "'");
        }
        if (store.find(ref.localName()).isPresent()) {
            return store.resolve(ref.localName());
        }
        if (puller == null) {
            throw new ModelNotFoundException(ref.localName(), "the model '" + printable(name) + "' is not in the"
                    + " local store; pull it first ('hearth pull " + printable(name) + "') or import a GGUF file"
                    + " ('hearth import FILE " + ref.localName() + "')");
        }
        guard.beforePull(name, ref);
        ModelManifest pulled;
        try {
            pulled = puller.pull(ref, listener);
        } catch (HubException | IOException e) {
            String why = String.valueOf(e.getMessage());
            String importHint = "hearth import FILE " + ref.localName();
            throw new HubException("the model '" + printable(name) + "' is not in the local store and pulling it"
                    + " failed: " + (why.contains("hearth import FILE NAME") ? why.replace("hearth import FILE NAME",
                    importHint) : why + "; or import a GGUF file you have ('" + importHint + "')"), e);
        }
        return store.resolve(pulled.name());
    }

    /** The store's name for {@code name} when a model of that name (or its catalogue pull name) is stored. */
    public Optional<String> storedName(String name) {
        try {
            Optional<ModelManifest> m = store.find(name);
            if (m.isPresent()) {
                return Optional.of(m.get().name());
            }
        } catch (HubException e) {
            // not a valid store name; it may still be an hf:// reference
        }
        try {
            String local = PullRef.parse(name).localName();
            return store.find(local).isPresent() ? Optional.of(local) : Optional.empty();
        } catch (HubException e) {
            return Optional.empty();
        }
    }

    /** A GGUF file outside the store, as a resolved model of one shard named {@code name}. */
    public static ResolvedModel file(Path path, String name) throws IOException {
        ModelManifest manifest = new ModelManifest(name, path.toString(), "", List.of(new ModelManifest.FileEntry(
                path.getFileName().toString(), "", Files.size(path))), "", "", 0, "");
        return new ResolvedModel(manifest, path, List.of(path));
    }

    private static Path asPath(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String printable(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s.replaceAll("\\p{Cntrl}", "?");
    }
}
