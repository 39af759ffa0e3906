/// Namespace of the famfs on-media format and tools.
public enum Famfs {}
