//! Renderers (filled in later).
