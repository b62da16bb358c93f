package dev.hearth.safetensors;

/** The element types Hearth reads from safetensors files, with their names as the header spells them. */
public enum SafetensorsDtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype for a header name; a clear error naming the tensor for any other (I64, F8_E4M3, ...). */
    static SafetensorsDtype of(String name, String tensor, String file) {
        return switch (name) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            default -> throw new SafetensorsException(file + ": tensor '" + tensor + "' has dtype " + name
                    + ", which is not supported (supported: F32, F16, BF16)");
        };
    }
}
