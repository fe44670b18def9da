using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging;

namespace Platform.Ownership.Tests;

public sealed class OwnershipGuardTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly RejectionRecorder _recorder;
    private readonly OwnershipGuard _guard;

    public OwnershipGuardTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new RejectionRecorder(meterFactory);
        _guard = new OwnershipGuard(OwnershipPolicy.LoadBuiltIn(), meterFactory);
    }

    [Fact]
    public void IsOwner_answers_for_the_owner_only_and_counts_nothing()
    {
        Assert.True(_guard.IsOwner("erp", "product", "price"));
        Assert.True(_guard.IsOwner("ERP", "Product", "Price"));
        Assert.False(_guard.IsOwner("pim", "product", "price"));
        Assert.False(_guard.IsOwner("erp", "product", "colour"));
        Assert.False(_guard.IsOwner("erp", "widget", "price"));
        Assert.Empty(_recorder.Rejections);
    }

    [Fact]
    public void Check_accepts_every_field_of_the_owner()
    {
        var check = _guard.Check("pim", "product", ["sku", "name", "media"]);

        Assert.True(check.IsFullyAccepted);
        Assert.Equal(["sku", "name", "media"], check.Accepted);
        Assert.Empty(_recorder.Rejections);
    }

    [Fact]
    public void Check_splits_a_mixed_write_and_counts_each_rejected_field()
    {
        var check = _guard.Check("magento", "product", ["url_key", "price", "name"]);

        Assert.False(check.IsFullyAccepted);
        Assert.Equal(["url_key"], check.Accepted);
        Assert.Equal(
            [new FieldRejection("price", OwnershipRejectionReason.NotOwner, "erp"), new FieldRejection("name", OwnershipRejectionReason.NotOwner, "pim")],
            check.Rejected);
        Assert.Equal(
            ["field=price object=product reason=not_owner system=magento", "field=name object=product reason=not_owner system=magento"],
            _recorder.Rejections);
        Assert.Equal("ownership policy: magento may not write product.price (owned by erp), product.name (owned by pim)", check.Describe());
    }

    [Fact]
    public void EnsureOwner_throws_an_exception_the_bus_dead_letters()
    {
        var failure = Assert.Throws<OwnershipViolationException>(() => _guard.EnsureOwner("crm", "customer", ["tier", "email"]));

        Assert.IsAssignableFrom<InvalidEventException>(failure);
        Assert.Equal("ownership policy: crm may not write customer.email (owned by magento)", failure.Message);
        Assert.Equal(["tier"], failure.Check.Accepted);
        Assert.Equal(["field=email object=customer reason=not_owner system=crm"], _recorder.Rejections);
    }

    [Fact]
    public void EnsureOwner_returns_quietly_for_the_owner()
    {
        var check = _guard.EnsureOwner("wms", "shipment", ["tracking_number", "carrier"]);

        Assert.True(check.IsFullyAccepted);
        Assert.Empty(_recorder.Rejections);
    }

    [Fact]
    public void Unknown_field_is_rejected_clearly_without_its_name_becoming_a_metric_label()
    {
        var check = _guard.Check("pim", "product", ["name", "colour"]);

        Assert.Equal(["name"], check.Accepted);
        Assert.Equal([new FieldRejection("colour", OwnershipRejectionReason.UnknownField, null)], check.Rejected);
        Assert.Equal("ownership policy: pim may not write product.colour (not a declared field)", check.Describe());
        Assert.Equal(["field=_undeclared object=product reason=unknown_field system=pim"], _recorder.Rejections);
    }

    [Fact]
    public void Unknown_object_is_rejected_clearly()
    {
        var failure = Assert.Throws<OwnershipViolationException>(() => _guard.EnsureOwner("pim", "widget", ["size"]));

        Assert.Equal("ownership policy: pim may not write widget.size (widget is not a declared object)", failure.Message);
        Assert.Equal(OwnershipRejectionReason.UnknownObject, Assert.Single(failure.Check.Rejected).Reason);
        Assert.Equal(["field=_undeclared object=_undeclared reason=unknown_object system=pim"], _recorder.Rejections);
    }

    [Fact]
    public void Unknown_system_is_rejected_clearly()
    {
        var check = _guard.Check("sap", "product", ["price"]);

        Assert.Equal(new FieldRejection("price", OwnershipRejectionReason.UnknownSystem, "erp"), Assert.Single(check.Rejected));
        Assert.Equal("ownership policy: sap may not write product.price (sap is not a declared system)", check.Describe());
        Assert.Equal(["field=price object=product reason=unknown_system system=_undeclared"], _recorder.Rejections);
    }

    [Fact]
    public void A_field_named_twice_is_judged_once()
    {
        var check = _guard.Check("magento", "order", ["status", "STATUS", "export_status"]);

        Assert.Equal(["status"], check.Accepted);
        Assert.Equal("export_status", Assert.Single(check.Rejected).Field);
        Assert.Single(_recorder.Rejections);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }
}
