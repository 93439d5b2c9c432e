using System.CommandLine;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk check FILE [--repair]</c>: verify every VHDX structure; exit 0 clean, 1 errors found.</summary>
internal static class DiskCheckCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The VHDX file to check.");
        var repair = new Option<bool>("--repair") { Description = "Replay a pending log into the file first (opens it read-write)." };
        var command = new Command("check", "Verify headers, region tables, log, metadata and every BAT entry of a VHDX; each problem is printed with the "
            + "structure and file offset. Exit code 0: no errors (warnings allowed); 1: errors found or the file cannot be read.")
        {
            path,
            repair,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var file = parseResult.GetRequiredValue(path).FullName;
            try
            {
                var report = await VhdxChecker.CheckAsync(file, parseResult.GetValue(repair), cancellationToken);
                if (report.ReplayedEntries > 0)
                {
                    output.WriteLine($"repaired: replayed {report.ReplayedEntries} log entr{(report.ReplayedEntries == 1 ? "y" : "ies")}");
                }

                foreach (var problem in report.Problems)
                {
                    output.WriteLine(problem.ToString());
                }

                var errors = report.Problems.Count(p => p.Severity == VhdxProblemSeverity.Error);
                output.WriteLine($"{file}: {report.BlocksChecked} blocks checked, {errors} errors, {report.Problems.Count - errors} warnings");
                return report.HasErrors ? ExitCodes.Failure : ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cannot check '{file}': {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
