package dev.hearth.model;

/** How RoPE pairs the elements of a head: adjacent (2i, 2i + 1) as llama.cpp's NORM, or halves (i, i + d/2) as NEOX. */
public enum RopeStyle {
    NORM,
    NEOX
}
