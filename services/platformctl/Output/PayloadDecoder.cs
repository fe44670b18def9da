using Google.Protobuf;
using Platform.Contracts;
using Platform.Contracts.Common.V1;

namespace Platform.Ctl.Output;

/// <summary>The payload read as the event its type names, when the contracts know that type.</summary>
public sealed record DecodedPayload(IMessage? Message, string Note);

public static class PayloadDecoder
{
    public static DecodedPayload Decode(DeadLetter letter)
    {
        if (letter.EventType.Length == 0)
        {
            return new DecodedPayload(null, "not decoded: the dead letter names no event type");
        }

        if (!EventContracts.TryGetByType(letter.EventType, out var contract))
        {
            return new DecodedPayload(null, $"not decoded: {letter.EventType} is not an event of these contracts");
        }

        try
        {
            return new DecodedPayload(contract.Parse(letter.Payload.Span), $"decoded as {contract.Type}");
        }
        catch (InvalidProtocolBufferException exception)
        {
            return new DecodedPayload(null, $"not decoded: the payload is not a valid {contract.Type} ({exception.Message})");
        }
    }
}
