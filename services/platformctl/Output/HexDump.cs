using System.Text;

namespace Platform.Ctl.Output;

/// <summary>The classic offset / 16 hex bytes / printable ASCII layout, as hexdump -C prints it.</summary>
public static class HexDump
{
    private const int BytesPerLine = 16;

    public static string Render(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        for (var offset = 0; offset < bytes.Length; offset += BytesPerLine)
        {
            var line = bytes.Slice(offset, Math.Min(BytesPerLine, bytes.Length - offset));
            text.Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (var index = 0; index < BytesPerLine; index++)
            {
                text.Append(index < line.Length ? line[index].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "  ");
                text.Append(index == 7 ? "  " : " ");
            }

            text.Append(" |");
            foreach (var value in line)
            {
                text.Append(value is >= 0x20 and < 0x7f ? (char)value : '.');
            }

            text.Append('|').Append('\n');
        }

        return text.ToString();
    }
}
