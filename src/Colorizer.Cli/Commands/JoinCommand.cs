using System.CommandLine;
using Colorizer.Core.Video;

namespace Colorizer.Cli.Commands;

/// <summary>
/// <c>colorizer join DIR --output FILE</c>: joins the parts that <c>colorize VIDEO --output DIR --part K/N</c> runs
/// (on one machine or many) wrote into DIR, once every part is there and complete.
/// </summary>
internal static class JoinCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Argument<string>("directory") { Description = "The folder the colorize --part runs wrote into." };
        var file = new Option<string>("--output", "-o") { Description = "The MP4 to write (atomically).", Required = true };
        var command = new Command("join", "Join the parts of a video colorized with colorize --part K/N into one MP4, with the original's audio.")
        {
            directory, file,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var joined = await VideoParts.JoinAsync(parse.GetValue(directory)!, parse.GetValue(file)!, ct);
                output.WriteLine($"{parse.GetValue(file)}: {joined.Frames} frames from {joined.Parts} parts ({joined.Segments} segments)" +
                                 (joined.AudioKept ? ", with the original's audio" : ", silent"));
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is VideoPartsException or OperationCanceledException or InvalidOperationException or IOException)
            {
                error.WriteLine(ErrorText.For(ex));
                return ExitCodes.For(ex);
            }
        });
        return command;
    }
}
