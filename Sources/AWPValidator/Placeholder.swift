public enum AWPValidatorPlaceholder {}
