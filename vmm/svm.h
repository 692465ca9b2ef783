/* SVM backend internals shared between its files. */
#ifndef VMM_SVM_H
#define VMM_SVM_H

#include "vmm/vcpu.h"

/* Clears the intercept bits of the MSRs guests may use directly (msr_policy.h). */
void svm_msrpm_open(uint8_t *msrpm);

#endif
