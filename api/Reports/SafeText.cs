using System.Net;
using System.Text;

namespace Csp.Api.Reports;

/// <summary>
/// Officers' and partners' text made inert in each format the report is written in: nothing interpolated can become markup,
/// a link, a heading or a spreadsheet formula.
/// </summary>
public static class SafeText
{
    /// <summary>HTML text or attribute value: <c>&lt; &gt; &amp; " '</c> encoded.</summary>
    public static string Html(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>
    /// Inline Markdown text: one line (line breaks become spaces), every character CommonMark gives a meaning to inline
    /// backslash-escaped (so <c>&lt;script&gt;</c> stays text and <c>[x](javascript:…)</c> is no link), and a leading character that
    /// would start a block (<c>#</c>, <c>&gt;</c>, a list marker) or a spreadsheet formula (<c>= + - @</c>) escaped too.
    /// </summary>
    public static string Markdown(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var line = string.Join(' ', text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var sb = new StringBuilder(line.Length + 8);
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            // An underscore inside a word (on_track) never starts emphasis, so it stays as it is.
            var intraword = ch == '_' && i > 0 && i + 1 < line.Length && char.IsLetterOrDigit(line[i - 1]) && char.IsLetterOrDigit(line[i + 1]);
            if ((ch is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '&' or '~' or '!' && !intraword)
                || (i == 0 && ch is '#' or '=' or '+' or '-' or '@' or '\t'))
                sb.Append('\\');
            // "1. " or "1) " at the start would begin an ordered list.
            else if (i > 0 && ch is '.' or ')' && sb.Length == i && line[..i].All(char.IsAsciiDigit))
                sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }
}
