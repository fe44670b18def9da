namespace Platform.Ownership.Tests;

public sealed class PolicyValidationTests
{
    [Fact]
    public void A_field_with_two_owners_is_refused_naming_both()
    {
        var failure = Refused("""
            systems: [pim, erp]
            objects:
              product: [name, price]
            owners:
              pim: { product: [name, price] }
              erp: { product: [price] }
            """);

        Assert.Equal(["product.price is owned by both erp and pim"], failure.Problems);
        Assert.Contains("ownership policy: product.price is owned by both erp and pim", failure.Message);
    }

    [Fact]
    public void A_field_with_three_owners_names_all_of_them()
    {
        var failure = Refused("""
            systems: [pim, erp, magento]
            objects:
              product: [price]
            owners:
              pim: { product: [price] }
              magento: { product: [price] }
              erp: { product: [price] }
            """);

        Assert.Equal(["product.price is owned by erp, magento and pim"], failure.Problems);
    }

    [Fact]
    public void A_field_without_an_owner_is_refused()
    {
        var failure = Refused("""
            systems: [pim]
            objects:
              product: [name, media]
            owners:
              pim: { product: [name] }
            """);

        Assert.Equal(["product.media has no owner"], failure.Problems);
    }

    [Fact]
    public void An_unknown_system_in_owners_is_refused()
    {
        var failure = Refused("""
            systems: [pim]
            objects:
              product: [name]
            owners:
              pim: { product: [name] }
              sap: { product: [name] }
            """);

        var problem = Assert.Single(failure.Problems);
        Assert.StartsWith("owners.sap: unknown system sap (line 6)", problem);
    }

    [Fact]
    public void An_unknown_object_or_field_in_owners_is_refused()
    {
        var failure = Refused("""
            systems: [pim]
            objects:
              product: [name]
            owners:
              pim:
                product: [name, colour]
                widget: [size]
            """);

        Assert.Equal(
            ["owners.pim.product: unknown field product.colour (line 6)", "owners.pim.widget: unknown object widget (line 7)"],
            failure.Problems);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var failure = Refused("""
            systems: [magento, pim, erp, crm]
            objects:
              product: [sku, name, price, media]
              customer: [email, tier]
            owners:
              pim: { product: [sku, name, price] }
              erp: { product: [price], stock: [on_hand] }
              magento: { customer: [email, phone] }
              akeneo: { product: [media] }
            """);

        Assert.Equal(
            [
                "owners.erp.stock: unknown object stock (line 7)",
                "owners.magento.customer: unknown field customer.phone (line 8)",
                "owners.akeneo: unknown system akeneo (line 9); declared systems are magento, pim, erp, crm",
                "product.price is owned by both erp and pim",
                "product.media has no owner",
                "customer.tier has no owner",
            ],
            failure.Problems);
        Assert.StartsWith("ownership policy test is invalid (6 problems):", failure.Message);
        foreach (var problem in failure.Problems)
        {
            Assert.Contains($"\nownership policy: {problem}", failure.Message);
        }
    }

    [Fact]
    public void Declaration_mistakes_are_refused()
    {
        var failure = Refused("""
            version: 2
            sytems: [pim]
            systems: [pim, pim, PIM]
            objects:
              product: [name, name]
              stock: []
            owners:
              pim: { product: [name, name] }
            """);

        Assert.Equal(
            [
                "unknown key 'sytems' (line 2); expected version, systems, objects, owners",
                "version 2 is not supported (line 1); this build reads version 1",
                "system pim is declared twice (line 3)",
                "system name 'PIM' must be lowercase letters, digits and '_' or '-' (line 3)",
                "product.name is declared twice (line 5)",
                "object stock must list its fields (line 6)",
                "owners.pim.product lists name twice (line 8)",
            ],
            failure.Problems);
    }

    [Fact]
    public void Missing_sections_are_refused()
    {
        var failure = Refused("version: 1\n");

        Assert.Equal(3, failure.Problems.Count);
        Assert.StartsWith("systems must be a list", failure.Problems[0]);
        Assert.StartsWith("objects must map each object", failure.Problems[1]);
        Assert.StartsWith("owners must map each system", failure.Problems[2]);
    }

    [Fact]
    public void Broken_yaml_is_refused_with_its_position()
    {
        var failure = Refused("""
            systems: [pim]
            objects:
              product: [name]
             owners: {}
            """);

        var problem = Assert.Single(failure.Problems);
        Assert.StartsWith("line 4, column ", problem);
        Assert.DoesNotContain("Idx:", problem);
    }

    [Fact]
    public void Yaml_the_scanner_cannot_read_is_refused()
    {
        var failure = Refused("""
            systems: [pim
            objects: {}
            """);

        Assert.StartsWith("the file is not valid YAML", Assert.Single(failure.Problems));
    }

    [Fact]
    public void A_duplicate_key_is_refused()
    {
        var failure = Refused("""
            systems: [pim]
            objects:
              product: [name]
            owners:
              pim: { product: [name] }
              pim: { product: [name] }
            """);

        Assert.StartsWith("line 6", Assert.Single(failure.Problems));
    }

    [Theory]
    [InlineData("")]
    [InlineData("- just\n- a list\n")]
    public void Something_that_is_not_a_policy_is_refused(string yaml)
    {
        var failure = Refused(yaml);

        Assert.Equal(["the policy must be a mapping with systems, objects and owners"], failure.Problems);
    }

    private static OwnershipPolicyException Refused(string yaml) =>
        Assert.Throws<OwnershipPolicyException>(() => OwnershipPolicy.Parse(yaml, "test"));
}
