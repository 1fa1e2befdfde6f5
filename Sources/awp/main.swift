import AWPCommandLine
import Glibc

exit(await AWPCommandLine.main(CommandLine.arguments))
