/** Placeholder entry while the package is being built; replaced by the LLM layer's exports. */
export {};
