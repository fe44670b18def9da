using System.Text.Json;

namespace Platform.Ownership.Tests;

public sealed class PolicyLoadingTests
{
    private const string Valid = """
        version: 1
        systems: [magento, pim, erp]
        objects:
          product: [sku, name, price]
          stock: [on_hand]
        owners:
          pim: { product: [sku, name] }
          erp: { product: [price], stock: [on_hand] }
        """;

    [Theory]
    [InlineData("magento")]
    [InlineData("shopify")]
    public void Built_in_policies_load(string name)
    {
        var policy = OwnershipPolicy.LoadBuiltIn(name);

        Assert.Equal($"built-in:{name}", policy.Source);
        Assert.Contains(name, policy.Systems);
    }

    [Fact]
    public void Default_policy_matches_the_design()
    {
        var policy = OwnershipPolicy.LoadBuiltIn();

        // Products from the PIM, prices and stock from the ERP, orders and customer profile from
        // commerce, shipments from the WMS/3PL, segments and tier from the CRM.
        Assert.Equal("pim", policy.OwnerOf("product", "name"));
        Assert.Equal("pim", policy.OwnerOf("product", "attributes"));
        Assert.Equal("erp", policy.OwnerOf("product", "price"));
        Assert.Equal("erp", policy.OwnerOf("stock", "on_hand"));
        Assert.Equal("magento", policy.OwnerOf("order", "lines"));
        Assert.Equal("magento", policy.OwnerOf("order", "totals"));
        Assert.Equal("wms", policy.OwnerOf("shipment", "tracking_number"));
        Assert.Equal("magento", policy.OwnerOf("customer", "email"));
        Assert.Equal("magento", policy.OwnerOf("customer", "consent"));
        Assert.Equal("crm", policy.OwnerOf("customer", "segments"));
        Assert.Equal("crm", policy.OwnerOf("customer", "tier"));
        Assert.Equal("erp", policy.OwnerOf("customer", "erp_customer_code"));
        Assert.Equal("platform", policy.OwnerOf("stock", "reserved"));
    }

    [Fact]
    public void The_shopify_policy_differs_from_the_magento_one_only_in_the_storefront()
    {
        var magento = OwnershipPolicy.LoadBuiltIn("magento").View;
        var shopify = OwnershipPolicy.LoadBuiltIn("shopify").View;

        string Render(OwnershipPolicyView view, string storefront) => JsonSerializer.Serialize(view with { Source = "", Fingerprint = "" })
            .Replace(storefront, "<storefront>", StringComparison.Ordinal);

        Assert.Equal(Render(magento, "magento"), Render(shopify, "shopify"));
    }

    [Fact]
    public void Lists_the_built_in_policies()
    {
        Assert.Equal(["magento", "shopify"], OwnershipPolicy.BuiltInNames);
    }

    [Fact]
    public void Unknown_built_in_policy_is_refused_naming_the_choices()
    {
        var failure = Assert.Throws<OwnershipPolicyException>(() => OwnershipPolicy.LoadBuiltIn("woocommerce"));

        Assert.Contains("no built-in policy named 'woocommerce' (built-in: magento, shopify)", failure.Message);
    }

    [Fact]
    public void A_valid_file_loads_with_one_owner_per_field()
    {
        var policy = OwnershipPolicy.Parse(Valid, "test");

        Assert.Equal(["magento", "pim", "erp"], policy.Systems);
        Assert.Equal("pim", policy.OwnerOf("product", "sku"));
        Assert.Equal("erp", policy.OwnerOf("PRODUCT", "Price"));
        Assert.Null(policy.OwnerOf("product", "colour"));
        Assert.Null(policy.OwnerOf("widget", "sku"));
        Assert.Empty(policy.FieldsOwnedBy("magento"));
        Assert.Equal(["price"], policy.FieldsOwnedBy("erp")["product"]);
        Assert.Equal(["on_hand"], policy.FieldsOwnedBy("erp")["stock"]);
    }

    [Fact]
    public void The_view_lists_every_field_with_its_owner_and_survives_json()
    {
        var policy = OwnershipPolicy.Parse(Valid, "test");

        var json = JsonSerializer.Serialize(policy.View);
        var copy = JsonSerializer.Deserialize<OwnershipPolicyView>(json)!;

        Assert.Equal(["product", "stock"], copy.Objects.Select(o => o.Name));
        Assert.Equal(
            ["sku=pim", "name=pim", "price=erp"],
            copy.Objects[0].Fields.Select(f => $"{f.Name}={f.Owner}"));
        Assert.Equal(policy.Fingerprint, copy.Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", copy.Fingerprint);
    }

    [Fact]
    public void The_fingerprint_changes_with_the_policy()
    {
        var other = Valid.Replace("pim: { product: [sku, name] }", "pim: { product: [name, sku] }", StringComparison.Ordinal);

        Assert.NotEqual(OwnershipPolicy.Parse(Valid, "a").Fingerprint, OwnershipPolicy.Parse(other, "b").Fingerprint);
        Assert.Equal(OwnershipPolicy.Parse(Valid, "a").Fingerprint, OwnershipPolicy.Parse(Valid, "b").Fingerprint);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-policy-{Guid.NewGuid():N}.yaml");

        var failure = Assert.Throws<OwnershipPolicyException>(() => OwnershipPolicy.LoadFile(path));

        Assert.Contains($"policy file {path} does not exist", failure.Message);
    }

    [Fact]
    public void A_file_loads_from_disk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Valid);
        try
        {
            var policy = OwnershipPolicy.LoadFile(path);

            Assert.Equal(path, policy.Source);
            Assert.Equal("erp", policy.OwnerOf("stock", "on_hand"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
