"""nn: neural-network modules, activations, losses and optimizers built on autograd."""
