public enum AWPWorkflowPlaceholder {}
