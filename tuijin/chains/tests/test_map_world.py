"""Helpers of the chain-map tests (no tests here): chains and nodes made through the services."""

from tuijin.chains import services
from tuijin.chains.models import ChainNode
from tuijin.projects.models import IndustryChain

__all__ = ["fresh", "make_chain", "make_node"]


def make_chain(name: str = "光电信息", **fields) -> IndustryChain:
    return IndustryChain.objects.create(name=name, **fields)


def make_node(chain, name: str, segment: str = "midstream", parent=None, **data) -> ChainNode:
    return services.node_create(
        actor=None, chain=chain, data={"name": name, "segment": segment, "parent": parent, **data}
    )


def fresh(node) -> ChainNode:
    return ChainNode.objects.get(pk=node.pk)
