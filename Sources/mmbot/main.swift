#if canImport(Glibc)
import Glibc
#endif
import MMBotCLI

exit(MMBotCLI.main(CommandLine.arguments).rawValue)
