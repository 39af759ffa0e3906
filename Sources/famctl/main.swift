// SPDX-License-Identifier: Apache-2.0
import FamctlCommands

Famctl.run(arguments: CommandLine.arguments)
