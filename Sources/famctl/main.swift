import FamctlCommands

Famctl.run(arguments: CommandLine.arguments)
