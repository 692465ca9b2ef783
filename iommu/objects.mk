# iommu/: VT-d remapping hardware.
core-y += iommu/vtd_caps.o
core-y += iommu/vtd_tables.o iommu/vtd_inv.o iommu/vtd_fault.o iommu/vtd_irte.o
core-y += iommu/vtd_unit.o iommu/vtd_scope.o iommu/iommu.o
