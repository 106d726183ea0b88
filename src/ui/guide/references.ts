/**
 * The papers the method guide cites. Every link was checked against the paper, its arXiv entry
 * or its repository; the MediConfusion code link is the one the published paper gives.
 */
export interface Reference {
  id: 'mediconfusion' | 'mmvp' | 'biomedclip' | 'dinov2';
  authors: string;
  title: string;
  venue: string;
  links: readonly { label: string; href: string }[];
}

export const REFERENCES: readonly Reference[] = [
  {
    id: 'mediconfusion',
    authors: 'Sepehri, Fabian, Soltanolkotabi, Soltanolkotabi.',
    title: 'MediConfusion: Can you trust your AI radiologist? Probing the reliability of multimodal medical foundation models',
    venue: 'ICLR 2025',
    links: [
      { label: 'arXiv 2409.15477', href: 'https://arxiv.org/abs/2409.15477' },
      { label: 'OpenReview', href: 'https://openreview.net/forum?id=H9UnNgdq0g' },
      { label: 'dataset and code', href: 'https://github.com/AIF4S/MediConfusion' },
    ],
  },
  {
    id: 'mmvp',
    authors: 'Tong, Liu, Zhai, Ma, LeCun, Xie.',
    title: 'Eyes Wide Shut? Exploring the Visual Shortcomings of Multimodal LLMs',
    venue: 'CVPR 2024',
    links: [
      { label: 'arXiv 2401.06209', href: 'https://arxiv.org/abs/2401.06209' },
      { label: 'project page', href: 'https://tsb0601.github.io/mmvp_blog/' },
      { label: 'code', href: 'https://github.com/tsb0601/MMVP' },
    ],
  },
  {
    id: 'biomedclip',
    authors: 'Zhang, Xu, Usuyama, et al.',
    title: 'BiomedCLIP: a multimodal biomedical foundation model pretrained from fifteen million scientific image-text pairs',
    venue: 'arXiv 2023',
    links: [
      { label: 'arXiv 2303.00915', href: 'https://arxiv.org/abs/2303.00915' },
      { label: 'model', href: 'https://huggingface.co/microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224' },
    ],
  },
  {
    id: 'dinov2',
    authors: 'Oquab, Darcet, Moutakanni, et al.',
    title: 'DINOv2: Learning Robust Visual Features without Supervision',
    venue: 'arXiv 2023',
    links: [
      { label: 'arXiv 2304.07193', href: 'https://arxiv.org/abs/2304.07193' },
      { label: 'code', href: 'https://github.com/facebookresearch/dinov2' },
    ],
  },
];
