import FamctlCommands

await Famctl.run(arguments: CommandLine.arguments)
